package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/katzenthin/katzenthin/internal/cli"
	"github.com/katzenthin/katzenthin/pigeonhole"
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

// sendState is what a send keeps in its state file.
type sendState struct {
	// The file, as it was when the send began: a different file under
	// the same name must not continue it.
	Name    string
	Size    uint64
	ModTime time.Time
	NoCopy  bool

	// No-copy mode: the boxes written, all of them before Next, and the
	// file bytes they hold.
	Boxes int
	Bytes uint64
	Next  pigeonhole.MessageBoxIndex

	// Copy mode: the temporary stream's seed (a secret: it writes that
	// stream, and the file is in it) and whether all of the copy stream
	// is in it, so that only the copy command is left.
	Seed   []byte `json:",omitempty"`
	Staged bool

	Done bool
}

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
	if err := errors.Join(a.writeCap.check(), a.index.check()); err != nil {
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
	var st sendState
	sf, loaded, err := openState(path, &st)
	if err != nil {
		return err
	}
	defer sf.close()
	switch {
	case !loaded:
		st = sendState{Name: name, Size: h.Size, ModTime: fi.ModTime(), NoCopy: a.noCopy, Next: a.index.val}
	case st.Name != name || st.Size != h.Size || !st.ModTime.Equal(fi.ModTime()) || st.NoCopy != a.noCopy:
		return fmt.Errorf("an earlier send to this stream and index was of another file or mode (%s, %d bytes, -no-copy %v): "+
			"a box is written once, so start at another index (or stream), or pass -state to ignore the earlier send", st.Name, st.Size, st.NoCopy)
	case st.Done:
		fmt.Fprintf(stdout, "%s was sent already (state in %s): nothing to do\n", a.file, path)
		return nil
	}

	s, err := connect(ctx, a.common, stderr)
	if err != nil {
		return err
	}
	defer s.close()
	snd := &sender{p: pigeonhole.New(s.c), w: a.writeCap.val, st: &st, sf: sf, file: f, hdr: hdr,
		max: s.maxPlaintext, prog: newProgress(stderr, "sent")}
	snd.prog.setTotal(h.Size)
	mode := "copy"
	if a.noCopy {
		mode = "no-copy"
		err = snd.boxes(ctx)
	} else {
		err = snd.copy(ctx)
	}
	if err != nil {
		return interrupted(err)
	}
	st.Done = true
	if err := sf.save(&st); err != nil {
		return err
	}
	snd.prog.done(stdout, mode, snd.bytes, snd.count)
	return nil
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
	p    *pigeonhole.Client
	w    pigeonhole.WriteCap
	st   *sendState
	sf   *stateFile
	file *os.File
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

// boxes writes the file box by box, window boxes in flight, recording
// after each box that is written with all before it.
func (s *sender) boxes(ctx context.Context) error {
	l := boxLayout{hdr: len(s.hdr), max: s.max, size: s.st.Size}
	n := l.count()
	s.prog.resumed(s.st.Bytes, s.st.Boxes)
	at := s.st.Next
	next := make(map[int]pigeonhole.MessageBoxIndex) // the index after box i, until committed
	return ordered{
		more: func(issued, _ int) bool { return issued < n },
		prepare: func(ctx context.Context, i int) (func(context.Context) ([]byte, error), error) {
			off, size := l.span(i)
			box := make([]byte, 0, s.max)
			if i == 0 {
				box = append(box, s.hdr...)
			}
			box = box[:len(box)+size]
			if err := s.readAt(box[len(box)-size:], off); err != nil {
				return nil, err
			}
			env, err := s.p.EncryptWrite(ctx, &s.w, &at, box)
			if err != nil {
				return nil, fmt.Errorf("encrypting box %d: %w", i+1, err)
			}
			at = env.Next
			next[i] = env.Next
			return func(ctx context.Context) ([]byte, error) {
				if err := s.p.Write(ctx, &s.w, env); err != nil {
					return nil, fmt.Errorf("writing box %d: %w", i+1, err)
				}
				return nil, nil
			}, nil
		},
		commit: func(i int, _ []byte) (bool, error) {
			_, size := l.span(i)
			s.st.Boxes, s.st.Bytes, s.st.Next = i+1, s.st.Bytes+uint64(size), next[i]
			delete(next, i)
			if err := s.sf.save(s.st); err != nil {
				return false, err
			}
			s.bytes += uint64(size)
			s.count++
			s.prog.add(size)
			return i+1 == n, nil
		},
	}.run(ctx, s.st.Boxes)
}

// readAt fills b with the file's bytes from off. The file is not to
// change while it is sent: a short read says so.
func (s *sender) readAt(b []byte, off uint64) error {
	n, err := s.file.ReadAt(b, int64(off))
	switch {
	case n == len(b):
		return nil
	case err == io.EOF:
		return fmt.Errorf("%s is shorter than when the send began: it changed", s.st.Name)
	}
	return fmt.Errorf("reading %s: %w", s.st.Name, err)
}
