package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/wire"
)

// A v0.0.47 daemon has no Pigeonhole: the error says what is needed.
func TestPigeonholeNeedsV99(t *testing.T) {
	s := load(t)
	c := dial(t, s)
	if c.Daemon().Generation != wire.Generation47 {
		t.Skipf("a %s daemon has Pigeonhole", c.Daemon().Generation)
	}
	step(t, s, "NewKeypair on v0.0.47", func(ctx context.Context) error {
		_, _, _, err := pigeonhole.New(c).NewKeypair(ctx, make([]byte, pigeonhole.SeedSize))
		if !errors.Is(err, client.ErrUnsupported) || !strings.Contains(err.Error(), "needs kpclientd v0.0.99") {
			return fmt.Errorf("err = %v, want ErrUnsupported saying it needs v0.0.99", err)
		}
		t.Logf("error: %v", err)
		return nil
	})
}

// Writes come back in order through a Reader of another connection.
func TestPigeonholeOrdered(t *testing.T) {
	s := load(t)
	alice, _ := pigeonholeClient(t, s)
	bob, _ := pigeonholeClient(t, s)
	w, r := newStream(t, s, alice)
	writer, reader := alice.NewWriter(w), bob.NewReader(r)
	msgs := []string{"first", "second", "third"}
	for _, m := range msgs {
		step(t, s, "Write "+m, func(ctx context.Context) error { return writer.Write(ctx, []byte(m)) })
	}
	for _, m := range msgs {
		step(t, s, "Read "+m, func(ctx context.Context) error {
			got, err := reader.Read(ctx)
			if err == nil && string(got) != m {
				err = fmt.Errorf("read %q", got)
			}
			return err
		})
	}
}

// The expected outcomes: TryRead of an unwritten box, a second exclusive
// write, a tombstone read.
func TestPigeonholeOutcomes(t *testing.T) {
	s := load(t)
	p, _ := pigeonholeClient(t, s)
	w, r := newStream(t, s, p)
	at := r.FirstIndex()
	step(t, s, "TryRead of an unwritten box", func(ctx context.Context) error {
		env, err := p.EncryptRead(ctx, &r, &at)
		if err != nil {
			return err
		}
		if _, err := p.TryRead(ctx, &r, &at, env); !errors.Is(err, pigeonhole.ErrBoxNotFound) {
			return fmt.Errorf("err = %v, want ErrBoxNotFound", err)
		}
		return nil
	})
	step(t, s, "WriteExclusive", func(ctx context.Context) error {
		env, err := p.EncryptWrite(ctx, &w, &at, []byte("mine"))
		if err != nil {
			return err
		}
		return p.WriteExclusive(ctx, &w, env)
	})
	step(t, s, "a second WriteExclusive of other content", func(ctx context.Context) error {
		env, err := p.EncryptWrite(ctx, &w, &at, []byte("theirs"))
		if err != nil {
			return err
		}
		if err := p.WriteExclusive(ctx, &w, env); !errors.Is(err, pigeonhole.ErrBoxAlreadyExists) {
			return fmt.Errorf("err = %v, want ErrBoxAlreadyExists", err)
		}
		return nil
	})
	tw, tr := newStream(t, s, p)
	step(t, s, "Tombstone", func(ctx context.Context) error { return p.NewWriter(tw).Tombstone(ctx) })
	step(t, s, "Read of the tombstone", func(ctx context.Context) error {
		if _, err := p.NewReader(tr).Read(ctx); !errors.Is(err, pigeonhole.ErrTombstone) {
			return fmt.Errorf("err = %v, want ErrTombstone", err)
		}
		return nil
	})
}

// A read whose deadline passes ends promptly and its cancel is answered
// (the cancelled start's reply comes back late, to nobody); the same
// client then writes and reads normally.
func TestPigeonholeReadDeadline(t *testing.T) {
	s := load(t)
	p, c := pigeonholeClient(t, s)
	w, r := newStream(t, s, p)
	at := r.FirstIndex()
	var env pigeonhole.Envelope
	step(t, s, "EncryptRead", func(ctx context.Context) (err error) {
		env, err = p.EncryptRead(ctx, &r, &at)
		return err
	})
	late := c.Stats().LateReplies
	step(t, s, fmt.Sprintf("Read with a %v deadline", s.readDeadline), func(context.Context) error {
		ctx, cancel := context.WithTimeout(context.Background(), s.readDeadline)
		defer cancel()
		began := time.Now()
		_, err := p.Read(ctx, &r, &at, env)
		if !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("err = %v, want the deadline", err)
		}
		if over := time.Since(began) - s.readDeadline; over > 2*time.Second {
			return fmt.Errorf("returned %v after its deadline", over)
		}
		return nil
	})
	step(t, s, "the cancelled start's late reply", func(ctx context.Context) error {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for c.Stats().LateReplies == late {
			select {
			case <-tick.C:
			case <-ctx.Done():
				return errors.New("no late reply: was the cancel sent?")
			}
		}
		return nil
	})
	writer, reader := p.NewWriter(w), p.NewReader(r)
	step(t, s, "Write after", func(ctx context.Context) error { return writer.Write(ctx, []byte("after")) })
	step(t, s, "Read after", func(ctx context.Context) error {
		got, err := reader.Read(ctx)
		if err == nil && string(got) != "after" {
			err = fmt.Errorf("read %q", got)
		}
		return err
	})
}

// A 20,000-byte payload through WriteLarge and ReadLarge.
func TestPigeonholeLarge(t *testing.T) {
	s := load(t)
	alice, _ := pigeonholeClient(t, s)
	bob, _ := pigeonholeClient(t, s)
	w, r := newStream(t, s, alice)
	payload := randomBytes(20000)
	step(t, s, "WriteLarge 20000 bytes", func(ctx context.Context) error { return alice.NewWriter(w).WriteLarge(ctx, payload) })
	step(t, s, "ReadLarge", func(ctx context.Context) error {
		got, err := bob.NewReader(r).ReadLarge(ctx)
		if err == nil && !bytes.Equal(got, payload) {
			err = fmt.Errorf("read %d bytes, not the %d written", len(got), len(payload))
		}
		return err
	})
}

// A read that waits for a write made KATZENTHIN_TEST_WAIT later from a
// second client: longer than a courier keeps asking the replicas about
// one envelope, so the read must refresh its envelope to see it.
func TestPigeonholeLateWrite(t *testing.T) {
	s := load(t)
	writer, _ := pigeonholeClient(t, s)
	reader, _ := pigeonholeClient(t, s)
	w, r := newStream(t, s, writer)
	got := make(chan error, 1)
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), s.wait+s.stepTimeout)
	defer cancel()
	go func() {
		msg, err := reader.NewReader(r).Read(ctx)
		if err == nil && string(msg) != "late" {
			err = fmt.Errorf("read %q", msg)
		}
		got <- err
	}()
	// The scenario's delay, not a synchronisation: the write comes late.
	wait := time.NewTimer(s.wait)
	select {
	case err := <-got:
		wait.Stop()
		t.Fatalf("the read ended before the write: %v", err)
	case <-wait.C:
	}
	t.Logf("writing %v after the read began", time.Since(began).Round(time.Millisecond))
	step(t, s, "the late Write", func(ctx context.Context) error { return writer.NewWriter(w).Write(ctx, []byte("late")) })
	if err := <-got; err != nil {
		t.Fatalf("the waiting read: %v", err)
	}
	t.Logf("step \"the waiting read\": %v, %d envelope refreshes", time.Since(began).Round(time.Millisecond), reader.Stats().ReadRefreshes)
}

// A copy command written by hand: the daemon cuts a payload into
// copy-stream elements, they go into a temporary stream, the courier
// copies them to the destination, and the destination boxes read back.
func TestPigeonholeCopyCommand(t *testing.T) {
	s := load(t)
	p, c := pigeonholeClient(t, s)
	dw, dr := newStream(t, s, p)
	tw, _ := newStream(t, s, p)
	payload := randomBytes(3000)
	var cs pigeonhole.CopyStream
	step(t, s, "EnvelopesFromPayload", func(ctx context.Context) (err error) {
		start := dw.FirstIndex()
		cs, err = p.EnvelopesFromPayload(ctx, &dw, &start, payload, true, true)
		return err
	})
	temp := p.NewWriter(tw)
	for i, e := range cs.Elements {
		step(t, s, fmt.Sprintf("write element %d of %d", i+1, len(cs.Elements)), func(ctx context.Context) error { return temp.Write(ctx, e) })
	}
	step(t, s, "Copy", func(ctx context.Context) error { return p.Copy(ctx, &tw) })
	chunk := c.Daemon().PigeonholeGeometry.MaxPlaintextPayloadLength - 4
	reader := p.NewReader(dr)
	var got []byte
	for i := 0; len(got) < len(payload); i++ {
		step(t, s, fmt.Sprintf("read destination box %d", i+1), func(ctx context.Context) error {
			msg, err := reader.Read(ctx)
			if err == nil && (len(msg) == 0 || len(msg) > chunk) {
				err = fmt.Errorf("box of %d bytes", len(msg))
			}
			got = append(got, msg...)
			return err
		})
	}
	if !bytes.Equal(got, payload) {
		t.Fatalf("copied %d bytes back, not the %d sent", len(got), len(payload))
	}
}
