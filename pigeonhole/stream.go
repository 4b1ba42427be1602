package pigeonhole

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Writer writes a stream box after box, keeping the index of the next
// box. Its methods run one at a time (a second call waits for the first);
// State returns what to persist between them.
//
// A write whose outcome is unknown (its context ended, the connection
// failed, the daemon reported an error after the request went out) may
// still have reached the replicas. The Writer then marks its state
// Uncertain and writes the next message exclusively (WriteExclusive): a
// box found holding other content is skipped, so the interrupted message
// stays in the stream and the new one follows it, and the box is never
// silently left with the old content while the caller believes the new
// one is there.
type Writer struct {
	p        *Client
	mu       sync.Mutex
	st       WriterState
	progress func(Progress)
}

// Reader reads a stream box after box, keeping the index of the next box.
// Its methods run one at a time; State returns what to persist.
type Reader struct {
	p        *Client
	mu       sync.Mutex
	st       ReaderState
	progress func(Progress)
}

// Progress reports a step of a long operation (WriteLarge, ReadLarge):
// Stage names it ("encrypt", "write", "copy", "read"), Done of Total
// boxes are through it (Total 0: not known yet).
type Progress struct {
	Stage       string
	Done, Total int
}

// NewWriter returns a Writer of w's stream that starts at its first box.
func (p *Client) NewWriter(w WriteCap) *Writer {
	return p.ResumeWriter(WriterState{Cap: w, Next: w.FirstIndex()})
}

// ResumeWriter returns a Writer that goes on from st.
func (p *Client) ResumeWriter(st WriterState) *Writer { return &Writer{p: p, st: st} }

// NewReader returns a Reader of r's stream that starts at its first box.
func (p *Client) NewReader(r ReadCap) *Reader {
	return p.ResumeReader(ReaderState{Cap: r, Next: r.FirstIndex()})
}

// ResumeReader returns a Reader that goes on from st.
func (p *Client) ResumeReader(st ReaderState) *Reader { return &Reader{p: p, st: st} }

// State returns the writer's state, to persist.
func (w *Writer) State() WriterState {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.st
}

// State returns the reader's state, to persist.
func (r *Reader) State() ReaderState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st
}

// OnProgress sets the function told about the steps of WriteLarge; nil
// turns it off. It is called one step at a time, possibly from goroutines
// of the call, and must not call the Writer's methods.
func (w *Writer) OnProgress(f func(Progress)) {
	w.mu.Lock()
	w.progress = f
	w.mu.Unlock()
}

// OnProgress sets the function told about the steps of ReadLarge, as
// Writer.OnProgress.
func (r *Reader) OnProgress(f func(Progress)) {
	r.mu.Lock()
	r.progress = f
	r.mu.Unlock()
}

// Write writes msg (1 to MaxPlaintextPayloadLength bytes) into the next
// box and moves on.
func (w *Writer) Write(ctx context.Context, msg []byte) error {
	if len(msg) == 0 {
		return fmt.Errorf("%w: an empty message is a tombstone: use Tombstone", ErrInvalidRequest)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writeBox(ctx, msg)
}

// Tombstone deletes the next box for good (an empty write) and moves on.
// A reader gets ErrTombstone for it.
func (w *Writer) Tombstone(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writeBox(ctx, []byte{})
}

// writeBox writes one box at st.Next, skipping boxes an interrupted write
// may have filled. w.mu is held.
func (w *Writer) writeBox(ctx context.Context, msg []byte) error {
	for {
		env, err := w.p.EncryptWrite(ctx, &w.st.Cap, &w.st.Next, msg)
		if err != nil {
			return err
		}
		if !w.st.Uncertain {
			if err := w.p.Write(ctx, &w.st.Cap, env); err != nil {
				w.st.Uncertain = true
				return err
			}
			w.st.Next = env.Next
			return nil
		}
		err = w.p.WriteExclusive(ctx, &w.st.Cap, env)
		switch {
		case err == nil:
			w.st.Next, w.st.Uncertain = env.Next, false
			return nil
		case errors.Is(err, ErrBoxAlreadyExists):
			w.st.Next = env.Next // an interrupted write took it: try the next box
		default:
			return err
		}
	}
}

// Read reads the next box, waiting for it to be written for as long as
// ctx allows, and moves on. A tombstone moves on too and returns
// ErrTombstone.
func (r *Reader) Read(ctx context.Context) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readBox(ctx, false)
}

// TryRead reads the next box if it is written and moves on; otherwise it
// returns ErrBoxNotFound and stays.
func (r *Reader) TryRead(ctx context.Context) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readBox(ctx, true)
}

func (r *Reader) readBox(ctx context.Context, noWait bool) ([]byte, error) {
	env, err := r.p.EncryptRead(ctx, &r.st.Cap, &r.st.Next)
	if err != nil {
		return nil, err
	}
	var msg []byte
	if noWait {
		msg, err = r.p.TryRead(ctx, &r.st.Cap, &r.st.Next, env)
	} else {
		msg, err = r.p.Read(ctx, &r.st.Cap, &r.st.Next, env)
	}
	if err == nil || errors.Is(err, ErrTombstone) {
		r.st.Next = env.Next
	}
	return msg, err
}
