package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/katzenthin/katzenthin/pigeonhole/channel"
)

// sender is one send in progress.
type sender struct {
	w    *channel.Writer
	file *os.File
	name string
	size uint64
	hdr  []byte
	max  int // a box's plaintext
	prog *progress

	bytes uint64 // file bytes this run sent
	count int    // boxes this run wrote
}

// run sends the file in the mode asked for, going on from what the
// channel holds; sent is false when an earlier run had sent it all.
func (s *sender) run(ctx context.Context, noCopy, settled bool) (mode string, sent bool, err error) {
	s.prog.setTotal(s.size)
	if noCopy {
		if settled && int(s.w.NextSeq()-1) == s.layout().count() {
			return "no-copy", false, nil
		}
		return "no-copy", true, s.boxes(ctx)
	}
	switch {
	case s.w.NextSeq() == 1:
		return "copy", true, s.copy(ctx)
	case settled:
		return "copy", false, nil
	}
	// An earlier run committed the copy: the channel sends its command
	// again as it opens; wait for it, and send nothing new.
	return "copy", true, s.recopy(ctx)
}

// boxLayout is where the file's bytes go in no-copy mode: the first box
// holds the header and as much of the file as fits, every later box a
// full box of it, the last the rest.
type boxLayout struct {
	hdr, max int
	size     uint64
}

// layout is the sender's boxLayout.
func (s *sender) layout() boxLayout { return boxLayout{hdr: len(s.hdr), max: s.max, size: s.size} }

// first is how many file bytes the first box holds.
func (l boxLayout) first() uint64 { return min(l.size, uint64(l.max-l.hdr)) }

// count is the number of boxes.
func (l boxLayout) count() int {
	rest := l.size - l.first()
	return 1 + int((rest+uint64(l.max)-1)/uint64(l.max))
}

// span is the file bytes of box i: from off, n of them.
func (l boxLayout) span(i int) (off uint64, n int) {
	if i == 0 {
		return 0, int(l.first())
	}
	off = l.first() + uint64(i-1)*uint64(l.max)
	return off, int(min(uint64(l.max), l.size-off))
}

// boxes writes the file box by box through the channel, which keeps
// window writes in flight and commits each box before it goes out. A
// resumed send starts at the first box the channel has not committed
// (its boxes are the same each time, so the channel's count of messages
// is the count of boxes); the channel itself sends again those it
// committed and did not see acknowledged.
func (s *sender) boxes(ctx context.Context) error {
	l := s.layout()
	n := l.count()
	from := int(s.w.NextSeq() - 1)
	if from > 0 {
		off, size := l.span(from - 1)
		s.prog.resumed(off+uint64(size), from)
	}
	type inFlight struct {
		op   *channel.Write
		size int
	}
	var queue []inFlight
	// settle counts the writes at the head of the queue that ended;
	// with wait, it waits for all of them.
	settle := func(wait bool) error {
		for len(queue) > 0 {
			head := queue[0]
			if wait {
				if err := head.op.Wait(ctx); err != nil {
					return err
				}
			} else {
				select {
				case <-head.op.Done():
				default:
					return nil
				}
			}
			if err := head.op.Err(); err != nil {
				return fmt.Errorf("writing box %d: %w", head.op.Seq(), err)
			}
			queue = queue[1:]
			s.bytes += uint64(head.size)
			s.count++
			s.prog.add(head.size)
		}
		return nil
	}
	box := make([]byte, 0, s.max)
	for i := from; i < n; i++ {
		off, size := l.span(i)
		box = box[:0]
		if i == 0 {
			box = append(box, s.hdr...)
		}
		box = box[:len(box)+size]
		if err := s.readAt(box[len(box)-size:], off); err != nil {
			return err
		}
		op, err := s.w.Submit(ctx, box) // waits for a free slot of the window
		if err != nil {
			return fmt.Errorf("box %d: %w", i+1, err)
		}
		queue = append(queue, inFlight{op, size})
		if err := settle(false); err != nil {
			return err
		}
	}
	if err := settle(true); err != nil {
		return err
	}
	return s.w.Flush(ctx) // and those an earlier run left in flight
}

// copy sends the header and the file through one courier copy command,
// as the Rust tool's default mode does: the daemon cuts them into boxes
// (of a box less 4 bytes each), written into a temporary stream that a
// courier copies into the destination. The channel's SendLarge does it
// crash-safely: interrupted while the temporary stream is written, a
// send starts again with a new one; interrupted during the copy command,
// the channel asks for the same copy again. (pigeonhole's WriteLarge
// puts a length in front, which is not the Rust format.)
func (s *sender) copy(ctx context.Context) error {
	payload := make([]byte, len(s.hdr)+int(s.size))
	copy(payload, s.hdr)
	if err := s.readAt(payload[len(s.hdr):], 0); err != nil {
		return err
	}
	destBoxes := (len(payload) + s.max - 5) / (s.max - 4)
	s.prog.note("copy mode: %d bytes in %d boxes through a copy command; on a real network this takes minutes ...", s.size, destBoxes)
	stop := s.prog.waiting("copy command")
	defer stop()
	if err := s.w.SendLarge(ctx, payload); err != nil {
		return fmt.Errorf("copy command: %w", err)
	}
	s.bytes, s.count = s.size, destBoxes
	return nil
}

// recopy waits for the copy command an earlier run committed, which the
// channel sent again when it opened.
func (s *sender) recopy(ctx context.Context) error {
	destBoxes := (len(s.hdr) + int(s.size) + s.max - 5) / (s.max - 4)
	s.prog.note("copy mode: the copy command of an earlier run is sent again; on a real network this takes minutes ...")
	stop := s.prog.waiting("copy command")
	defer stop()
	if err := s.w.Flush(ctx); err != nil {
		return fmt.Errorf("copy command: %w", err)
	}
	s.bytes, s.count = s.size, destBoxes
	return nil
}

// readAt fills b with the file's bytes from off. The file is not to
// change while it is sent: a short read says so.
func (s *sender) readAt(b []byte, off uint64) error {
	n, err := s.file.ReadAt(b, int64(off))
	switch {
	case n == len(b):
		return nil
	case err == io.EOF:
		return fmt.Errorf("%s is shorter than when the send began: it changed", s.name)
	}
	return fmt.Errorf("reading %s: %w", s.name, err)
}
