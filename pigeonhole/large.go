package pigeonhole

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/katzenthin/katzenthin/client"
)

// Payloads larger than a box (docs/protocol.md 9.10 b). The payload is
// prefixed with its length, 4 bytes big-endian, because the boxes carry
// none of their own: the reader stops where the prefix says.

// LengthPrefixSize is the size of the length WriteLarge puts in front of
// a payload.
const LengthPrefixSize = 4

// MaxLargePayload is the largest payload of WriteLarge: the daemon's
// MaxPayload less the length prefix.
const MaxLargePayload = MaxPayload - LengthPrefixSize

// WriteLarge writes payload (up to MaxLargePayload bytes) into the next
// boxes of the stream through a copy command, and moves on past them:
// the daemon cuts it into copy-stream elements, WriteLarge writes them
// into a fresh temporary stream and asks a courier to copy them into the
// writer's boxes. Read it back with Reader.ReadLarge. On a real network
// this takes minutes for a few boxes; OnProgress reports the steps.
func (w *Writer) WriteLarge(ctx context.Context, payload []byte) error {
	if len(payload) > MaxLargePayload {
		return &SizeError{What: "payload", Got: len(payload), Max: MaxLargePayload}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.st.Uncertain {
		// The copy writes with default flags, so it cannot skip boxes an
		// interrupted write filled: find the first free box first.
		if err := w.skipFilled(ctx); err != nil {
			return err
		}
	}
	framed := make([]byte, LengthPrefixSize, LengthPrefixSize+len(payload))
	binary.BigEndian.PutUint32(framed, uint32(len(payload)))
	framed = append(framed, payload...)

	var tellMu sync.Mutex // progress is told one step at a time
	tell := func(stage string, done, total int) {
		if w.progress != nil {
			tellMu.Lock()
			defer tellMu.Unlock()
			w.progress(Progress{Stage: stage, Done: done, Total: total})
		}
	}
	tell("encrypt", 0, 0)
	cs, err := w.p.EnvelopesFromPayload(ctx, &w.st.Cap, &w.st.Next, framed, true, true)
	if err != nil {
		return err
	}
	var seed [SeedSize]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return fmt.Errorf("pigeonhole: temporary stream seed: %w", err)
	}
	temp, _, at, err := w.p.NewKeypair(ctx, seed[:])
	if err != nil {
		return err
	}
	n := len(cs.Elements)
	err = pipeline(ctx, n, func(ctx context.Context, i int) (func(context.Context) error, error) {
		env, err := w.p.EncryptWrite(ctx, &temp, &at, cs.Elements[i])
		if err != nil {
			return nil, err
		}
		at = env.Next
		tell("encrypt", i+1, n)
		return func(ctx context.Context) error { return w.p.Write(ctx, &temp, env) }, nil
	}, func(done int) { tell("write", done, n) })
	if err != nil {
		return err
	}
	tell("copy", 0, len(cs.Elements))
	if err := w.p.Copy(ctx, &temp); err != nil {
		w.st.Uncertain = true
		return err
	}
	tell("copy", n, n)
	w.st.Next = cs.Next[0]
	return nil
}

// skipFilled moves st.Next past boxes an interrupted write filled: it
// reads them without waiting (a write probe would fill the box) until one
// is empty. w.mu is held.
func (w *Writer) skipFilled(ctx context.Context) error {
	rc := w.st.Cap.ReadCap()
	for {
		env, err := w.p.EncryptRead(ctx, &rc, &w.st.Next)
		if err != nil {
			return err
		}
		_, err = w.p.TryRead(ctx, &rc, &w.st.Next, env)
		switch {
		case errors.Is(err, ErrBoxNotFound):
			w.st.Uncertain = false
			return nil
		case err == nil, errors.Is(err, ErrTombstone):
			w.st.Next = env.Next
		default:
			return err
		}
	}
}

// ReadLarge reads a payload that WriteLarge wrote, from the next box on,
// waiting for each box, and moves on past it. If it fails, the reader
// stays where it was, so a retry starts again at the payload's first box.
func (r *Reader) ReadLarge(ctx context.Context) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	tell := func(done, total int) {
		if r.progress != nil {
			r.progress(Progress{Stage: "read", Done: done, Total: total})
		}
	}
	saved := r.st
	tell(0, 0)
	first, err := r.readBox(ctx, false)
	if err != nil {
		r.st = saved
		return nil, err
	}
	if len(first) < LengthPrefixSize {
		r.st = saved
		return nil, fmt.Errorf("pigeonhole: ReadLarge: first box of %d bytes has no length prefix", len(first))
	}
	size := int(binary.BigEndian.Uint32(first))
	if size > MaxLargePayload {
		r.st = saved
		return nil, fmt.Errorf("pigeonhole: ReadLarge: %w", &SizeError{What: "announced payload", Got: size, Max: MaxLargePayload})
	}
	chunk := len(first)
	total := 1
	if rest := LengthPrefixSize + size - chunk; rest > 0 {
		total += (rest + chunk - 1) / chunk
	}
	tell(1, total)
	// Boxes are the same size but the last: read the rest concurrently.
	parts := make([][]byte, total)
	parts[0] = first
	var mu sync.Mutex
	done := 1
	err = pipeline(ctx, total-1, func(ctx context.Context, i int) (func(context.Context) error, error) {
		at := r.st.Next
		env, err := r.p.EncryptRead(ctx, &r.st.Cap, &at)
		if err != nil {
			return nil, err
		}
		r.st.Next = env.Next
		return func(ctx context.Context) error {
			msg, err := r.p.Read(ctx, &r.st.Cap, &at, env)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			parts[i+1] = msg
			done++
			tell(done, total)
			return nil
		}, nil
	}, nil)
	if err != nil {
		r.st = saved
		return nil, err
	}
	out := make([]byte, 0, LengthPrefixSize+size)
	for _, p := range parts {
		out = append(out, p...)
	}
	if len(out) < LengthPrefixSize+size {
		r.st = saved
		return nil, fmt.Errorf("pigeonhole: ReadLarge: %d bytes announced, %d read", size, len(out)-LengthPrefixSize)
	}
	return out[LengthPrefixSize : LengthPrefixSize+size], nil
}

// pipeline runs n steps: prepare(i) runs in order on the caller's
// goroutine (the daemon serializes encryption anyway) and returns an
// operation, run concurrently with the others, at most
// client.MaxStartsInFlight at once. The first error cancels the rest and
// is returned. progress, if set, is told how many operations ended.
func pipeline(ctx context.Context, n int, prepare func(context.Context, int) (func(context.Context) error, error), progress func(int)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		ended    int
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		cancel()
	}
	slots := make(chan struct{}, client.MaxStartsInFlight)
	for i := 0; i < n && ctx.Err() == nil; i++ {
		op, err := prepare(ctx, i)
		if err != nil {
			fail(err)
			break
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			fail(ctx.Err())
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if err := op(ctx); err != nil {
				fail(err)
				return
			}
			mu.Lock()
			ended++
			e := ended
			mu.Unlock()
			if progress != nil {
				progress(e)
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return firstErr
}
