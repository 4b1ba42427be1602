package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/katzenthin/katzenthin/daemonflag"
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
	daemonflag.Usage(fs, "katzenthin-cp receive -read-cap CAP -index IDX [flags] DIR", receiveDescription)
	f := register(fs, true)
	readCap := defineCap[pigeonhole.ReadCap](fs, "read-cap", "a read cap", pigeonhole.ReadCapSize,
		"the stream's read `cap`, base64 as genkey prints it")
	index := defineCap[pigeonhole.MessageBoxIndex](fs, "index", "an index", pigeonhole.MessageBoxIndexSize,
		"the `index` of the stream's box the file starts at, base64 as genkey prints it")
	pos, err := daemonflag.ParseArgs(fs, args, "DIR")
	if err != nil {
		return err
	}
	if err := errors.Join(f.daemon.Check(), readCap.check(), index.check()); err != nil {
		return err
	}
	if f.daemon.Mock {
		// Its boxes live in this process: nothing could ever arrive.
		return daemonflag.Usagef("-mock: the bundled mock daemon is empty and lives only in this process, so nothing would ever arrive; " +
			"run a stand-in daemon with \"go run ./cmd/mockd -generation 99\" in the katzenthin repository and send and receive through it")
	}
	dir, err := filepath.Abs(pos[0])
	if err != nil {
		return err
	}
	if fi, err := os.Stat(dir); err != nil {
		return err
	} else if !fi.IsDir() {
		return daemonflag.Usagef("%s is not a directory", pos[0])
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
		return fmt.Errorf("an earlier receive of this stream and index writes into %s: run it with that DIR, or pass -state with a new file to start afresh", st.Dir)
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
