package pigeonhole_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/wire"
)

// fastReconnect reconnects at once, for tests.
var fastReconnect = client.WithReconnect(client.ReconnectPolicy{MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond})

// startMock starts a v0.0.99 mock that fails the test at cleanup if it
// saw a request the real daemon would crash on.
func startMock(t testing.TB, opts ...mock.Option) *mock.Daemon {
	t.Helper()
	d := mock.Start(t, append([]mock.Option{mock.WithGeneration(wire.Generation99)}, opts...)...)
	t.Cleanup(func() {
		if v := d.Violations(); len(v) > 0 {
			t.Errorf("requests that crash the real daemon: %v", v)
		}
	})
	return d
}

// dial connects a client to d and returns its Pigeonhole calls.
func dial(t testing.TB, d *mock.Daemon, opts ...client.Option) (*pigeonhole.Client, *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, append([]client.Option{client.WithDialer(d.Dialer())}, opts...)...)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return pigeonhole.New(c), c
}

// testCtx bounds a test's calls: a hang fails the test instead of the run.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func seed(t testing.TB) []byte {
	s := make([]byte, pigeonhole.SeedSize)
	if _, err := rand.Read(s); err != nil {
		t.Fatal(err)
	}
	return s
}

// keypair makes a fresh stream.
func keypair(t testing.TB, ctx context.Context, p *pigeonhole.Client) (pigeonhole.WriteCap, pigeonhole.ReadCap, pigeonhole.MessageBoxIndex) {
	t.Helper()
	w, r, i, err := p.NewKeypair(ctx, seed(t))
	if err != nil {
		t.Fatalf("NewKeypair: %v", err)
	}
	return w, r, i
}

// write writes msg at the box at and returns the next index.
func write(t testing.TB, ctx context.Context, p *pigeonhole.Client, w *pigeonhole.WriteCap, at *pigeonhole.MessageBoxIndex, msg []byte) pigeonhole.MessageBoxIndex {
	t.Helper()
	env, err := p.EncryptWrite(ctx, w, at, msg)
	if err != nil {
		t.Fatalf("EncryptWrite: %v", err)
	}
	if err := p.Write(ctx, w, env); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return env.Next
}

// read reads the box at, waiting for it.
func read(t testing.TB, ctx context.Context, p *pigeonhole.Client, r *pigeonhole.ReadCap, at *pigeonhole.MessageBoxIndex) ([]byte, error) {
	t.Helper()
	env, err := p.EncryptRead(ctx, r, at)
	if err != nil {
		t.Fatalf("EncryptRead: %v", err)
	}
	return p.Read(ctx, r, at, env)
}

func sprintf(format string, v any) string { return fmt.Sprintf(format, v) }
