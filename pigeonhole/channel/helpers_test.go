package channel_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/pigeonhole/channel"
	"github.com/katzenthin/katzenthin/wire"
)

// startMock starts a v0.0.99 mock that fails the test at cleanup if it
// saw a request the real daemon would crash on.
func startMock(t testing.TB, opts ...mock.Option) *mock.Daemon {
	t.Helper()
	d := mock.Start(t, append([]mock.Option{mock.WithGeneration(wire.Generation99)}, opts...)...)
	t.Cleanup(func() {
		if v := d.Violations(); len(v) > 0 {
			t.Errorf("requests that crash the real daemon: %v", v)
		}
		if n := d.PigeonholeStats().ConflictingWrites; n != 0 {
			t.Errorf("%d writes of different content to an occupied box", n)
		}
	})
	return d
}

// dialN connects n clients to d and returns their Pigeonhole calls.
func dialN(t testing.TB, dialer func() client.Option, n int) []*pigeonhole.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := make([]*pigeonhole.Client, n)
	for i := range out {
		c, err := client.Dial(ctx, dialer())
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		t.Cleanup(func() { c.Close() })
		out[i] = pigeonhole.New(c)
	}
	return out
}

func mockDialer(d *mock.Daemon) func() client.Option {
	return func() client.Option { return client.WithDialer(d.Dialer()) }
}

// testCtx bounds a test's calls: a hang fails the test instead of the run.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// openDB opens a bbolt store in path with the clients.
func openDB(t testing.TB, path string, clients []*pigeonhole.Client, opts ...channel.Option) *channel.DB {
	t.Helper()
	db, err := channel.Open(path, append([]channel.Option{channel.WithClients(clients...)}, opts...)...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func tempDBPath(t testing.TB) string { return filepath.Join(t.TempDir(), "channels.db") }

// failingStore wraps a Store and fails Commit on demand, as a full disk
// would.
type failingStore struct {
	channel.Store
	mu   sync.Mutex
	fail func(channel.Change) bool
}

var errDiskFull = errors.New("test: disk full")

func (s *failingStore) Commit(ctx context.Context, name string, c channel.Change) error {
	s.mu.Lock()
	fail := s.fail != nil && s.fail(c)
	s.mu.Unlock()
	if fail {
		return errDiskFull
	}
	return s.Store.Commit(ctx, name, c)
}

func (s *failingStore) setFail(f func(channel.Change) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = f
}

// receiveN receives n messages, checks they come in sequence from
// firstSeq, and returns their data.
func receiveN(t testing.TB, ctx context.Context, r *channel.Reader, n int, firstSeq uint64) []string {
	t.Helper()
	out := make([]string, 0, n)
	for i := range n {
		m, err := r.Receive(ctx)
		if err != nil {
			t.Fatalf("Receive %d: %v", i, err)
		}
		if m.Seq != firstSeq+uint64(i) {
			t.Fatalf("Receive %d: seq %d, want %d", i, m.Seq, firstSeq+uint64(i))
		}
		out = append(out, string(m.Data))
	}
	return out
}
