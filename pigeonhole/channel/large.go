package channel

import (
	"context"
	"crypto/rand"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/katzenthin/katzenthin/pigeonhole"
)

// SendLarge sends payload (1 to pigeonhole.MaxPayload bytes) into
// consecutive boxes through a copy command, and waits until the copy is
// done: the daemon cuts the payload into box-sized chunks (the last one
// shorter), which a reader receives as consecutive messages. Nothing
// frames it: an application that needs to find the payload's end marks
// it itself. For the writer it is one message, with one sequence
// number, after the messages submitted before it.
//
// It is crash-safe too: the chunks are written into a fresh temporary
// stream first (a crash there leaves the channel's boxes untouched and
// its index free); then the temporary stream is committed as the pending
// record, before the copy command goes out; after a crash the copy
// command is sent again for the same temporary stream, which writes the
// same ciphertexts into the same boxes.
func (w *Writer) SendLarge(ctx context.Context, payload []byte) error {
	if len(payload) == 0 {
		return fmt.Errorf("%w: empty payload", pigeonhole.ErrInvalidRequest)
	}
	if len(payload) > pigeonhole.MaxPayload {
		return &pigeonhole.SizeError{What: "payload", Got: len(payload), Max: pigeonhole.MaxPayload}
	}
	payload = append([]byte(nil), payload...)
	var cs pigeonhole.CopyStream
	op, err := w.submit(ctx, func(ctx context.Context, at *pigeonhole.MessageBoxIndex) (pigeonhole.MessageBoxIndex, error) {
		p, release, err := w.db.pool.local()
		if err != nil {
			return pigeonhole.MessageBoxIndex{}, err
		}
		defer release()
		cs, err = p.EnvelopesFromPayload(ctx, &w.cap, at, payload, true, true)
		if err != nil {
			return pigeonhole.MessageBoxIndex{}, err
		}
		if len(cs.Next) != 1 || len(cs.Elements) == 0 {
			return pigeonhole.MessageBoxIndex{}, fmt.Errorf("%w: a copy stream of %d elements and %d next indexes", pigeonhole.ErrMalformedReply, len(cs.Elements), len(cs.Next))
		}
		return cs.Next[0], nil
	}, func(ctx context.Context, wr *write) (prepared, error) {
		temp, err := w.writeCopyStream(ctx, cs.Elements)
		if err != nil {
			return prepared{}, err
		}
		return prepared{Record{Seq: wr.seq, Index: wr.at, CopyCap: &temp}, cs.Next[0]}, nil
	})
	if err != nil {
		return err
	}
	return op.Wait(ctx)
}

// writeCopyStream writes the elements into the boxes of a new temporary
// stream and returns its write cap. The boxes' indexes come one after
// another (NextIndex, cheap); their encryptions and writes go out side
// by side, up to the window, each encryption on the least busy
// connection.
func (w *Writer) writeCopyStream(ctx context.Context, elements [][]byte) (pigeonhole.WriteCap, error) {
	var seed [pigeonhole.SeedSize]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return pigeonhole.WriteCap{}, fmt.Errorf("channel: temporary stream seed: %w", err)
	}
	p, release, err := w.db.pool.local()
	if err != nil {
		return pigeonhole.WriteCap{}, err
	}
	temp, _, at, err := p.NewKeypair(ctx, seed[:])
	release()
	if err != nil {
		return pigeonhole.WriteCap{}, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cap(w.window))
	for i, el := range elements {
		box := at
		if i < len(elements)-1 {
			if at, err = w.nextIndex(gctx, &box); err != nil {
				g.Wait()
				return pigeonhole.WriteCap{}, err
			}
		}
		g.Go(func() error {
			p, release, err := w.db.pool.local()
			if err != nil {
				return err
			}
			env, err := p.EncryptWrite(gctx, &temp, &box, el)
			release()
			if err != nil {
				return err
			}
			p, release, err = w.db.pool.start()
			if err != nil {
				return err
			}
			defer release()
			return p.Write(gctx, &temp, env)
		})
	}
	if err := g.Wait(); err != nil {
		return pigeonhole.WriteCap{}, err
	}
	return temp, nil
}
