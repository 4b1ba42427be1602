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

	"github.com/katzenthin/katzenthin/daemonflag"
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
	daemonflag.Usage(fs, "katzenthin-cp send -write-cap CAP -index IDX [flags] FILE", sendDescription)
	a := sendArgs{common: register(fs, true)}
	a.writeCap = defineCap[pigeonhole.WriteCap](fs, "write-cap", "a write cap", pigeonhole.WriteCapSize,
		"the stream's write `cap`, base64 as genkey prints it")
	a.index = defineCap[pigeonhole.MessageBoxIndex](fs, "index", "an index", pigeonhole.MessageBoxIndexSize,
		"the `index` of the stream's box to start at, base64 as genkey prints it")
	fs.BoolVar(&a.noCopy, "no-copy", false, "write box by box, several in flight, with no size limit, instead of through a copy command")
	pos, err := daemonflag.ParseArgs(fs, args, "FILE")
	if err != nil {
		return err
	}
	a.file = pos[0]
	if err := errors.Join(a.daemon.Check(), a.writeCap.check(), a.index.check()); err != nil {
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
		return daemonflag.Usagef("%s: %d bytes, and a copy command carries at most %d with the header: pass -no-copy",
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
	w, settled, err := openWriter(ctx, db, a, fi, s.maxPlaintext)
	if err != nil {
		return err
	}
	defer w.Close()

	snd := &sender{w: w, file: f, name: name, size: h.Size, hdr: hdr, max: s.maxPlaintext, prog: newProgress(stderr, "sent")}
	mode, sent, err := snd.run(ctx, a.noCopy, settled)
	switch {
	case err != nil:
		return interrupted(err)
	case !sent:
		fmt.Fprintf(stdout, "%s was sent already (state in %s): nothing to do\n", a.file, path)
		return nil
	}
	snd.prog.done(stdout, mode, snd.bytes, snd.count)
	return nil
}

// openWriter opens the state's write channel, or makes it on the first
// run. The channel's name stands for the file and the mode: a send of
// another file (or the same one changed) to the same stream and index
// must not continue this one, whose boxes are written already; nor
// may the same file with another box size (another daemon's geometry),
// which would cut it into other boxes. settled says the channel was
// there, with every write it committed acknowledged.
func openWriter(ctx context.Context, db *channel.DB, a sendArgs, fi os.FileInfo, boxSize int) (w *channel.Writer, settled bool, err error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%d\x00%v\x00%d", fi.Name(), fi.Size(), fi.ModTime().UnixNano(), a.noCopy, boxSize)
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
			"or in the other mode, or through a daemon with another box size: a box is written once, so start at another index (or stream), or pass -state with a new file to ignore the earlier send")
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
