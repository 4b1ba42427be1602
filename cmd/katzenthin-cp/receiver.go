package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/pigeonhole/channel"
)

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
	final := filepath.Join(r.st.Dir, r.st.Name)
	if r.st.Boxes > 0 && r.st.Bytes == r.st.Size && finished(r.st.Part, final, r.st.Size) {
		// An earlier run finished and stopped before it recorded it.
		r.st.Done = true
		return saveJSON(r.path, r.st)
	}
	if r.st.Boxes > 0 {
		r.prog.setTotal(r.st.Size)
		r.prog.resumed(r.st.Bytes, r.st.Boxes)
		var err error
		if r.part, err = openPart(r.st.Part, final, int64(r.st.Bytes)); err != nil {
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
		msg, err := r.receive(ctx)
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

// receive returns the next box; while the first one is awaited, which
// may take as long as the sender takes to start, it says how long.
func (r *receiver) receive(ctx context.Context) (channel.Message, error) {
	if r.st.Boxes > 0 {
		return r.rd.Receive(ctx)
	}
	stop := r.prog.waiting("first box")
	defer stop()
	return r.rd.Receive(ctx)
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
