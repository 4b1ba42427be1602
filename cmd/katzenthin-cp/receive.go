package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/katzenthin/katzenthin/internal/cli"
	"github.com/katzenthin/katzenthin/pigeonhole"
)

const receiveDescription = `Receives a file from the Pigeonhole stream of the read cap, from the box
at the index on, into DIR, under the name the sender gave: it must be a
plain file name (no path, no control characters), and nothing in DIR is
overwritten nor any symlink followed. It waits for the sender for as long
as it takes; the file appears under its name only once complete.
Interrupted, the same command run again goes on where it stopped.`

// receiveState is what a receive keeps in its state file.
type receiveState struct {
	Dir string // absolute: the same command line run elsewhere resumes too

	// From the first box on: the header, the temporary file and what is
	// durably in it (Bytes of the file, from Boxes boxes), and the index
	// of the next box.
	Name  string `json:",omitempty"`
	Size  uint64
	Part  string `json:",omitempty"`
	Boxes int
	Bytes uint64
	Next  pigeonhole.MessageBoxIndex

	Done bool
}

// receive is the receive verb.
func receive(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("katzenthin-cp receive", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cli.Usage(fs, "katzenthin-cp receive -read-cap CAP -index IDX [flags] DIR", receiveDescription)
	f := register(fs, true)
	readCap := defineCap[pigeonhole.ReadCap](fs, "read-cap", "a read cap", pigeonhole.ReadCapSize,
		"the stream's read `cap`, base64 as genkey prints it")
	index := defineCap[pigeonhole.MessageBoxIndex](fs, "index", "an index", pigeonhole.MessageBoxIndexSize,
		"the `index` of the stream's box the file starts at, base64 as genkey prints it")
	pos, err := cli.ParseArgs(fs, args, "DIR")
	if err != nil {
		return err
	}
	if err := errors.Join(readCap.check(), index.check()); err != nil {
		return err
	}
	dir, err := filepath.Abs(pos[0])
	if err != nil {
		return err
	}
	if fi, err := os.Stat(dir); err != nil {
		return err
	} else if !fi.IsDir() {
		return cli.Usagef("%s is not a directory", pos[0])
	}

	path := f.state
	if path == "" {
		if path, err = defaultStatePath("receive", readCap.val[:], index.val[:]); err != nil {
			return err
		}
	}
	var st receiveState
	sf, loaded, err := openState(path, &st)
	if err != nil {
		return err
	}
	defer sf.close()
	switch {
	case !loaded:
		st = receiveState{Dir: dir, Next: index.val}
	case st.Dir != dir:
		return fmt.Errorf("an earlier receive of this stream and index writes into %s: run it with that DIR, or pass -state to start afresh", st.Dir)
	case st.Done:
		fmt.Fprintf(stdout, "received already: %s (state in %s): nothing to do\n", filepath.Join(st.Dir, st.Name), path)
		return nil
	}

	s, err := connect(ctx, f, stderr)
	if err != nil {
		return err
	}
	defer s.close()
	r := &receiver{p: pigeonhole.New(s.c), r: readCap.val, st: &st, sf: sf, max: s.maxPlaintext,
		prog: newProgress(stderr, "received")}
	if err := r.run(ctx); err != nil {
		return interrupted(err)
	}
	r.prog.done(stdout, "receive", r.bytes, r.count)
	fmt.Fprintf(stdout, "%s: %d bytes\n", filepath.Join(st.Dir, st.Name), st.Size)
	return nil
}

// receiver is one receive in progress.
type receiver struct {
	p    *pigeonhole.Client
	r    pigeonhole.ReadCap
	st   *receiveState
	sf   *stateFile
	max  int
	prog *progress
	part *partFile

	bytes uint64 // file bytes this run received
	count int    // boxes this run read
}

// run receives the file: the first box, whose header names it, then
// the rest, window boxes in flight but no more than the file can still
// fill, so that no read waits for a box the sender will never write.
func (r *receiver) run(ctx context.Context) error {
	if r.st.Boxes == 0 {
		if err := r.first(ctx); err != nil {
			return err
		}
	} else {
		r.prog.setTotal(r.st.Size)
		r.prog.resumed(r.st.Bytes, r.st.Boxes)
		var err error
		if r.part, err = openPart(r.st.Part, filepath.Join(r.st.Dir, r.st.Name), int64(r.st.Bytes)); err != nil {
			return err
		}
	}
	defer func() {
		if r.part != nil {
			r.part.Close()
		}
	}()
	at := r.st.Next
	next := make(map[int]pigeonhole.MessageBoxIndex) // the index after box i, until committed
	err := ordered{
		more: func(issued, committed int) bool {
			left := r.st.Size - r.st.Bytes // what the committed boxes leave
			return uint64(issued-committed) < (left+uint64(r.max)-1)/uint64(r.max)
		},
		prepare: func(ctx context.Context, i int) (func(context.Context) ([]byte, error), error) {
			box := at
			env, err := r.p.EncryptRead(ctx, &r.r, &box)
			if err != nil {
				return nil, fmt.Errorf("encrypting the read of box %d: %w", i+1, err)
			}
			at = env.Next
			next[i] = env.Next
			return func(ctx context.Context) ([]byte, error) {
				return r.read(ctx, i, &box, env)
			}, nil
		},
		commit: func(i int, data []byte) (bool, error) {
			n := min(uint64(len(data)), r.st.Size-r.st.Bytes)
			if err := r.write(data[:n], i+1, next[i]); err != nil {
				return false, err
			}
			delete(next, i)
			return r.st.Bytes == r.st.Size, nil
		},
	}.run(ctx, r.st.Boxes)
	if err != nil {
		return err
	}
	if err := r.part.finish(); err != nil {
		return err
	}
	r.part = nil
	r.st.Done = true
	return r.sf.save(r.st)
}

// read reads box i (1-based in errors), waiting for it.
func (r *receiver) read(ctx context.Context, i int, at *pigeonhole.MessageBoxIndex, env pigeonhole.Envelope) ([]byte, error) {
	data, err := r.p.Read(ctx, &r.r, at, env)
	switch {
	case errors.Is(err, pigeonhole.ErrTombstone):
		return nil, fmt.Errorf("box %d was deleted by the sender (a tombstone): the stream ends before the file does", i+1)
	case err != nil:
		return nil, fmt.Errorf("reading box %d: %w", i+1, err)
	}
	return data, nil
}

// first reads the first box, checks its header and name, and creates
// the temporary file with the file bytes that follow the header.
func (r *receiver) first(ctx context.Context) error {
	at := r.st.Next
	env, err := r.p.EncryptRead(ctx, &r.r, &at)
	if err != nil {
		return fmt.Errorf("encrypting the read of box 1: %w", err)
	}
	r.prog.note("waiting for the first box (the sender may not have sent yet) ...")
	data, err := r.read(ctx, 0, &at, env)
	if err != nil {
		return err
	}
	h, rest, err := decodeHeader(data)
	if err != nil {
		return err
	}
	if err := checkName(h.Name); err != nil {
		return fmt.Errorf("the sender's file name: %w", err)
	}
	r.prog.note("receiving %s, %d bytes", h.Name, h.Size)
	r.prog.setTotal(h.Size)
	if r.part, err = createPart(r.st.Dir, h.Name); err != nil {
		return err
	}
	r.st.Name, r.st.Size, r.st.Part = h.Name, h.Size, r.part.path
	return r.write(rest[:min(uint64(len(rest)), h.Size)], 1, env.Next)
}

// write appends file bytes and records that boxes boxes are in, the
// next one at next: the bytes are synced before the state says so, so
// that after a crash the state never claims more than the file holds.
func (r *receiver) write(b []byte, boxes int, next pigeonhole.MessageBoxIndex) error {
	if _, err := r.part.Write(b); err != nil {
		return err
	}
	if err := r.part.Sync(); err != nil {
		return err
	}
	r.st.Boxes, r.st.Bytes, r.st.Next = boxes, r.st.Bytes+uint64(len(b)), next
	if err := r.sf.save(r.st); err != nil {
		return err
	}
	r.bytes += uint64(len(b))
	r.count++
	r.prog.add(len(b))
	return nil
}
