package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/katzenthin/katzenthin/internal/cli"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/pigeonhole/channel"
)

const sendDescription = `Sends FILE into the Pigeonhole stream of the write cap, from the box at
the index on. The receiver needs the stream's read cap and the same index.
By default the whole file goes through one courier copy command, at most
9 MiB with its header: the receiver sees all of it or nothing. With
-no-copy it goes box by box, several in flight, with no size limit.
Interrupted, the same command run again goes on where it stopped.`

// maxCopyPayload is the most a copy-mode send carries, header and file:
// the daemon takes 10 MiB per copy stream; the Rust tool keeps this
// margin, and a file it takes we take.
const maxCopyPayload = 9 << 20

// sendArgs is a send's command line.
type sendArgs struct {
	*common
	writeCap *capFlag[pigeonhole.WriteCap, *pigeonhole.WriteCap]
	index    *capFlag[pigeonhole.MessageBoxIndex, *pigeonhole.MessageBoxIndex]
	noCopy   bool
	file     string
}

// send is the send verb.
func send(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("katzenthin-cp send", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cli.Usage(fs, "katzenthin-cp send -write-cap CAP -index IDX [flags] FILE", sendDescription)
	a := sendArgs{common: register(fs, true)}
	a.writeCap = defineCap[pigeonhole.WriteCap](fs, "write-cap", "a write cap", pigeonhole.WriteCapSize,
		"the stream's write `cap`, base64 as genkey prints it")
	a.index = defineCap[pigeonhole.MessageBoxIndex](fs, "index", "an index", pigeonhole.MessageBoxIndexSize,
		"the `index` of the stream's box to start at, base64 as genkey prints it")
	fs.BoolVar(&a.noCopy, "no-copy", false, "write box by box, several in flight, with no size limit, instead of through a copy command")
	pos, err := cli.ParseArgs(fs, args, "FILE")
	if err != nil {
		return err
	}
	a.file = pos[0]
	if err := errors.Join(a.resolve(fs), a.writeCap.check(), a.index.check()); err != nil {
		return err
	}

	f, err := os.Open(a.file)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", a.file)
	}
	name, err := sendName(a.file)
	if err != nil {
		return err
	}
	h := header{Name: name, Size: uint64(fi.Size())}
	hdr, err := h.encode()
	if err != nil {
		return err
	}
	if !a.noCopy && len(hdr)+int(fi.Size()) > maxCopyPayload {
		return cli.Usagef("%s: %d bytes, and a copy command carries at most %d with the header: pass -no-copy",
			a.file, fi.Size(), maxCopyPayload-len(hdr))
	}

	path := a.state
	if path == "" {
		if path, err = defaultStatePath("send", a.writeCap.val[:], a.index.val[:]); err != nil {
			return err
		}
	}
	s, err := connect(ctx, a.common, stderr)
	if err != nil {
		return err
	}
	defer s.close()
	p := pigeonhole.New(s.c)
	db, err := openStore(path, p)
	if err != nil {
		return err
	}
	defer db.Close()
	w, settled, err := openWriter(ctx, db, a, fi)
	if err != nil {
		return err
	}
	defer w.Close()

	snd := &sender{w: w, file: f, name: name, size: h.Size, hdr: hdr, max: s.maxPlaintext, prog: newProgress(stderr, "sent")}
	snd.prog.setTotal(h.Size)
	mode := "copy"
	if a.noCopy {
		mode = "no-copy"
		if settled && int(w.NextSeq()-1) == snd.layout().count() {
			fmt.Fprintf(stdout, "%s was sent already (state in %s): nothing to do\n", a.file, path)
			return nil
		}
		err = snd.boxes(ctx)
	} else {
		switch {
		case w.NextSeq() == 1:
			err = snd.copy(ctx)
		case settled:
			fmt.Fprintf(stdout, "%s was sent already (state in %s): nothing to do\n", a.file, path)
			return nil
		default:
			// An earlier run committed the copy: the channel sends its
			// command again as it opens; wait for it, and send nothing new.
			err = snd.recopy(ctx)
		}
	}
	if err != nil {
		return interrupted(err)
	}
	snd.prog.done(stdout, mode, snd.bytes, snd.count)
	return nil
}

// openWriter opens the state's write channel, or makes it on the first
// run. The channel's name stands for the file and the mode: a send of
// another file (or the same one changed) to the same stream and index
// must not continue this one, whose boxes are written already. settled
// says the channel was there, with every write it committed
// acknowledged.
func openWriter(ctx context.Context, db *channel.DB, a sendArgs, fi os.FileInfo) (w *channel.Writer, settled bool, err error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%d\x00%v", fi.Name(), fi.Size(), fi.ModTime().UnixNano(), a.noCopy)
	name := "katzenthin-cp send " + hex.EncodeToString(h.Sum(nil)[:16])
	have, settled, err := onlyChannel(ctx, db)
	switch {
	case err != nil:
		return nil, false, err
	case have == "":
		w, err = db.ImportWriter(ctx, name, a.writeCap.val, a.index.val)
		return w, false, err
	case have != name:
		return nil, false, errors.New("an earlier send to this stream and index was of another file, or of this one before it changed, " +
			"or in the other mode: a box is written once, so start at another index (or stream), or pass -state to forget the earlier send")
	}
	w, err = db.Writer(ctx, name)
	return w, settled, err
}

// interrupted says what an interrupted transfer leaves.
func interrupted(err error) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted: run the same command again to go on where it stopped (%w)", err)
	}
	return err
}

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
