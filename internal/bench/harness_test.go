package bench_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/internal/bench/floor"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/service"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// The parameters every round-trip benchmark runs with.
var (
	sizes         = []int{64, 2000} // payload bytes; 2000 is the v0.0.47 limit
	concurrencies = []int{1, 64, 1024}
	generations   = []wire.Generation{wire.Generation47, wire.Generation99}
)

// callTimeout bounds a whole benchmark run: a reply that never comes ends
// its call with an error when it passes, counted as lost.
const callTimeout = time.Minute

// call is one round trip: send p, return the reply's payload.
type call func(ctx context.Context, p []byte) ([]byte, error)

// caller is one calling goroutine's payload: random bytes of its own,
// the first eight a sequence number, so that a reply meant for another
// caller, or for an earlier call, does not match.
type caller struct {
	payload []byte
	seq     uint64
}

func newCaller(size int) *caller {
	p := make([]byte, size)
	rand.Read(p)
	return &caller{payload: p}
}

// next stamps a fresh sequence number into the payload and returns it.
func (c *caller) next() []byte {
	c.seq++
	if len(c.payload) >= 8 {
		binary.LittleEndian.PutUint64(c.payload, c.seq)
	}
	return c.payload
}

// owns reports whether reply answers the latest call: the payload first,
// then the echo's zero padding.
func (c *caller) owns(reply []byte) bool {
	return len(reply) >= len(c.payload) && bytes.Equal(reply[:len(c.payload)], c.payload)
}

// tally counts the calls that did not get their own reply.
type tally struct {
	lost      atomic.Int64 // an error, or no reply within callTimeout
	misrouted atomic.Int64 // a reply with another payload
}

func (t *tally) do(ctx context.Context, fn call, c *caller) {
	reply, err := fn(ctx, c.next())
	switch {
	case err != nil:
		t.lost.Add(1)
	case !c.owns(reply):
		t.misrouted.Add(1)
	}
}

func (t *tally) total() int64 { return t.lost.Load() + t.misrouted.Load() }

// parallelism is what SetParallelism needs for at least n goroutines.
func parallelism(n int) int {
	p := runtime.GOMAXPROCS(0)
	return (n + p - 1) / p
}

// runRoundTrips runs fn b.N times from conc goroutines (1: the benchmark's
// own, timing one call at a time) and reports the calls that lost their
// reply as "lost" (a count over the final run; it must be 0).
func runRoundTrips(b *testing.B, conc, size int, fn call) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	var t tally
	b.ReportAllocs()
	if conc == 1 {
		c := newCaller(size)
		for b.Loop() {
			t.do(ctx, fn, c)
		}
	} else {
		b.SetParallelism(parallelism(conc))
		b.RunParallel(func(pb *testing.PB) {
			c := newCaller(size)
			for pb.Next() {
				t.do(ctx, fn, c)
			}
		})
	}
	b.ReportMetric(float64(t.total()), "lost")
}

// startFloor starts the floor pair and returns its call.
func startFloor(tb testing.TB) call {
	tb.Helper()
	s, err := floor.Listen()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	c, err := floor.Dial(s.Addr())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c.Call
}

// startSDK starts an in-process mock of generation gen and a client on it.
func startSDK(tb testing.TB, gen wire.Generation, opts ...mock.Option) (*mock.Daemon, *client.Client, service.Destination) {
	tb.Helper()
	d := mock.Start(tb, append([]mock.Option{mock.WithGeneration(gen)}, opts...)...)
	c, dst := dialSDK(tb, d.Dialer())
	return d, c, dst
}

// dialSDK connects a client and finds the echo service.
func dialSDK(tb testing.TB, dl transport.Dialer) (*client.Client, service.Destination) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.WithDialer(dl))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	svc, err := c.Service("echo")
	if err != nil {
		tb.Fatal(err)
	}
	return c, svc.Destination()
}

// sendCall is client.Send as a call.
func sendCall(c *client.Client, dst service.Destination) call {
	return func(ctx context.Context, p []byte) ([]byte, error) {
		r, err := c.Send(ctx, dst, p)
		return r.Payload, err
	}
}

func sizeName(size int) string { return fmt.Sprintf("%dB", size) }
func concName(conc int) string { return fmt.Sprintf("c%d", conc) }
