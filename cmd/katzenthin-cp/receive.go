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
	"github.com/katzenthin/katzenthin/pigeonhole/channel"
)

const receiveDescription = `Receives a file from the Pigeonhole stream of the read cap, from the box
at the index on, into DIR, under the name the sender gave: it must be a
plain file name (no path, no control characters), and nothing in DIR is
overwritten nor any symlink followed. It waits for the sender for as long
as it takes; the file appears under its name only once complete.
Interrupted, the same command run again goes on where it stopped.`

// receiveState is what a receive keeps in its JSON file, beside the
// channel store: what it made of the boxes the channel handed out.
type receiveState struct {
	Dir string // absolute: the same command line run elsewhere resumes too

	// From the first box on: the header, the temporary file and what is
	// durably in it (Bytes of the file, from Boxes boxes, the last of
	// them the channel's message Seq).
	Name  string `json:",omitempty"`
	Size  uint64
	Part  string `json:",omitempty"`
	Boxes int
	Bytes uint64
	Seq   uint64

	Done bool
}

// readChannel is the name of a receive's channel in its store.
const readChannel = "katzenthin-cp receive"

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
	if err := errors.Join(f.resolve(fs), readCap.check(), index.check()); err != nil {
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
	s, err := connect(ctx, f, stderr)
	if err != nil {
		return err
	}
	defer s.close()
	db, err := openStore(path, pigeonhole.New(s.c))
	if err != nil {
		return err
	}
	defer db.Close()
	var st receiveState
	jsonPath := path + ".json"
	found, err := loadJSON(jsonPath, &st)
	switch {
	case err != nil:
		return err
	case !found:
		st = receiveState{Dir: dir}
	case st.Dir != dir:
		return fmt.Errorf("an earlier receive of this stream and index writes into %s: run it with that DIR, or pass -state to start afresh", st.Dir)
	case st.Done:
		fmt.Fprintf(stdout, "received already: %s (state in %s): nothing to do\n", filepath.Join(st.Dir, st.Name), path)
		return nil
	}
	rd, err := db.Reader(ctx, readChannel)
	if errors.Is(err, channel.ErrNotFound) {
		rd, err = db.ImportReader(ctx, readChannel, readCap.val, index.val)
	}
	if err != nil {
		return err
	}
	defer rd.Close()

	r := &receiver{rd: rd, st: &st, path: jsonPath, prog: newProgress(stderr, "received")}
	if err := r.run(ctx); err != nil {
		return interrupted(err)
	}
	r.prog.done(stdout, "receive", r.bytes, r.count)
	fmt.Fprintf(stdout, "%s: %d bytes\n", filepath.Join(st.Dir, st.Name), st.Size)
	return nil
}

// receiver is one receive in progress.
type receiver struct {
	rd   *channel.Reader
	st   *receiveState
	path string // of the JSON state
	prog *progress
	part *partFile

	bytes uint64 // file bytes this run received
	count int    // boxes this run read
}

// run receives the file: the first box, whose header names it, then the
// rest, until the header's size is in. The channel reads ahead, window
// boxes in flight, and commits each box before handing it out; a box is
// acknowledged to it only once its bytes are durably in the temporary
// file and the JSON state says so. A box handed out again after a crash
// in between is known by its sequence number, and skipped.
func (r *receiver) run(ctx context.Context) error {
	if r.st.Boxes > 0 {
		r.prog.setTotal(r.st.Size)
		r.prog.resumed(r.st.Bytes, r.st.Boxes)
		var err error
		if r.part, err = openPart(r.st.Part, filepath.Join(r.st.Dir, r.st.Name), int64(r.st.Bytes)); err != nil {
			return err
		}
	} else {
		r.prog.note("waiting for the first box (the sender may not have sent yet) ...")
	}
	defer func() {
		if r.part != nil {
			r.part.Close()
		}
	}()
	for r.st.Boxes == 0 || r.st.Bytes < r.st.Size {
		if err := ctx.Err(); err != nil {
			return err // boxes read ahead would be handed out still
		}
		msg, err := r.rd.Receive(ctx)
		switch {
		case errors.Is(err, pigeonhole.ErrTombstone):
			return fmt.Errorf("box %d was deleted by the sender (a tombstone): the stream ends before the file does", r.st.Boxes+1)
		case err != nil:
			return fmt.Errorf("reading box %d: %w", r.st.Boxes+1, err)
		}
		if msg.Seq > r.st.Seq { // else it is in the file already
			if err := r.apply(msg); err != nil {
				return err
			}
		}
		if err := r.rd.Ack(ctx, msg.Seq); err != nil {
			return err
		}
	}
	if err := r.part.finish(); err != nil {
		return err
	}
	r.part = nil
	r.st.Done = true
	return saveJSON(r.path, r.st)
}

// apply puts a box's file bytes into the temporary file, the first box's
// after its header, which names the file and creates it.
func (r *receiver) apply(msg channel.Message) error {
	data := msg.Data
	if r.st.Boxes == 0 {
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
		data = rest
	}
	data = data[:min(uint64(len(data)), r.st.Size-r.st.Bytes)]
	// The bytes are synced before the state says so, so that after a
	// crash the state never claims more than the file holds.
	if _, err := r.part.Write(data); err != nil {
		return err
	}
	if err := r.part.Sync(); err != nil {
		return err
	}
	r.st.Boxes++
	r.st.Bytes += uint64(len(data))
	r.st.Seq = msg.Seq
	if err := saveJSON(r.path, r.st); err != nil {
		return err
	}
	r.bytes += uint64(len(data))
	r.count++
	r.prog.add(len(data))
	return nil
}
