package main

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/katzenthin/katzenthin/pigeonhole"
)

// copy sends the header and the file through one courier copy command,
// as the Rust tool's default mode does: the daemon cuts them into a copy
// stream addressed to the destination boxes (each holding a box less 4
// bytes of them), the copy stream goes into a fresh temporary stream,
// and a courier copies it into the destination. The length-prefixed
// pigeonhole.Writer.WriteLarge is not the Rust format, hence the steps
// here.
//
// Interrupted while the copy stream is written, a send starts again
// with a new temporary stream (the copy stream's envelopes are
// encrypted afresh each time, so the old half cannot be finished);
// interrupted during the copy command, it only asks for the copy again,
// which is safe to repeat.
func (s *sender) copy(ctx context.Context) error {
	payload := make([]byte, len(s.hdr)+int(s.st.Size))
	copy(payload, s.hdr)
	if err := s.readAt(payload[len(s.hdr):], 0); err != nil {
		return err
	}
	destBoxes := (len(payload) + s.max - 5) / (s.max - 4)

	if !s.st.Staged {
		if err := s.stage(ctx, payload); err != nil {
			return err
		}
	} else {
		s.prog.note("the copy stream was written by an earlier run: asking for the copy again")
	}
	temp, _, _, err := s.p.NewKeypair(ctx, s.st.Seed)
	if err != nil {
		return fmt.Errorf("the temporary stream: %w", err)
	}
	s.prog.note("copy command: a courier writes the %d boxes (minutes on a real network) ...", destBoxes)
	if err := s.p.Copy(ctx, &temp); err != nil {
		return fmt.Errorf("copy command: %w", err)
	}
	s.bytes, s.count = s.st.Size, destBoxes
	return nil
}

// stage writes the copy stream of payload into a fresh temporary
// stream and records it.
func (s *sender) stage(ctx context.Context, payload []byte) error {
	cs, err := s.p.EnvelopesFromPayload(ctx, &s.w, &s.st.Next, payload, true, true)
	if err != nil {
		return fmt.Errorf("building the copy stream: %w", err)
	}
	seed := make([]byte, pigeonhole.SeedSize)
	rand.Read(seed)
	temp, _, at, err := s.p.NewKeypair(ctx, seed)
	if err != nil {
		return fmt.Errorf("the temporary stream: %w", err)
	}
	n := len(cs.Elements)
	share := func(i int) int { // the file bytes element i stands for, in the progress
		return int(s.st.Size*uint64(i+1)/uint64(n) - s.st.Size*uint64(i)/uint64(n))
	}
	s.prog.note("writing the copy stream: %d boxes of a temporary stream", n)
	err = ordered{
		more: func(issued, _ int) bool { return issued < n },
		prepare: func(ctx context.Context, i int) (func(context.Context) ([]byte, error), error) {
			env, err := s.p.EncryptWrite(ctx, &temp, &at, cs.Elements[i])
			if err != nil {
				return nil, fmt.Errorf("encrypting copy-stream box %d: %w", i+1, err)
			}
			at = env.Next
			return func(ctx context.Context) ([]byte, error) {
				if err := s.p.Write(ctx, &temp, env); err != nil {
					return nil, fmt.Errorf("writing copy-stream box %d: %w", i+1, err)
				}
				return nil, nil
			}, nil
		},
		commit: func(i int, _ []byte) (bool, error) {
			s.prog.add(share(i))
			return i+1 == n, nil
		},
	}.run(ctx, 0)
	if err != nil {
		return err
	}
	s.st.Seed, s.st.Staged = seed, true
	return s.sf.save(s.st)
}
