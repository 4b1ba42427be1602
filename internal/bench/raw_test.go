package bench_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/internal/bench/raw"
	"github.com/katzenthin/katzenthin/transport"
)

// capturedFrames is where raw.Load finds the v0.0.47 frames.
const capturedFrames = "../../testdata/daemon-v0.0.47"

// newCall makes one calling goroutine's call: the raw client's state is
// per goroutine (its reply buffer), the SDK's is not.
type newCall func() call

// rawImpl is one side of BenchmarkRaw, against its own canned daemon.
type rawImpl struct {
	name  string
	start func(tb testing.TB, d *raw.Canned, f *raw.Frames, size int) (newCall, func() int64)
}

// rawImpls are the raw client and the SDK, side by side for every size
// and concurrency, in an order that puts each compared pair next to each
// other (raw-owned and sdk, sdk and raw, raw and sdk-append): the VM's
// speed drifts within a round.
var rawImpls = []rawImpl{
	{name: "raw-owned", start: startRawOwned},
	{name: "sdk", start: startCannedSDK},
	{name: "raw", start: startRaw},
	{name: "sdk-append", start: startCannedSDKAppend},
}

// startRaw dials the raw client; its misses count as lost.
func startRaw(tb testing.TB, d *raw.Canned, f *raw.Frames, size int) (newCall, func() int64) {
	return dialRaw(tb, d, f, size, (*raw.Caller).Call)
}

// startRawOwned dials the raw client under Send's contract: every reply
// is fresh memory of the caller's own (raw.Caller.CallOwned).
func startRawOwned(tb testing.TB, d *raw.Canned, f *raw.Frames, size int) (newCall, func() int64) {
	return dialRaw(tb, d, f, size, (*raw.Caller).CallOwned)
}

// dialRaw dials the raw client, each calling goroutine with a caller of
// its own that calls through method.
func dialRaw(tb testing.TB, d *raw.Canned, f *raw.Frames, size int, method func(*raw.Caller, []byte) ([]byte, error)) (newCall, func() int64) {
	tb.Helper()
	c, err := raw.Dial(d.Addr(), f, size)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return func() call {
		w := c.NewCaller()
		return func(_ context.Context, p []byte) ([]byte, error) { return method(w, p) }
	}, c.Misses
}

// startCannedSDK dials client.Send at the canned daemon.
func startCannedSDK(tb testing.TB, d *raw.Canned, _ *raw.Frames, _ int) (newCall, func() int64) {
	tb.Helper()
	c, dst := dialSDK(tb, transport.Unix(d.Addr()))
	fn := sendCall(c, dst)
	return func() call { return fn }, func() int64 { return 0 }
}

// startCannedSDKAppend dials client.SendAppend at the canned daemon:
// each calling goroutine passes its previous reply's memory back, so the
// SDK allocates nothing per call.
func startCannedSDKAppend(tb testing.TB, d *raw.Canned, _ *raw.Frames, _ int) (newCall, func() int64) {
	tb.Helper()
	c, dst := dialSDK(tb, transport.Unix(d.Addr()))
	return func() call {
		var buf []byte
		return func(ctx context.Context, p []byte) ([]byte, error) {
			r, err := c.SendAppend(ctx, buf[:0], dst, p)
			buf = r.Payload
			return r.Payload, err
		}
	}, func() int64 { return 0 }
}

// startCanned loads the captured frames and serves them until the test
// ends.
func startCanned(tb testing.TB) (*raw.Canned, *raw.Frames) {
	tb.Helper()
	f, err := raw.Load(capturedFrames)
	if err != nil {
		tb.Fatal(err)
	}
	d, err := raw.Listen(f)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return d, f
}

// stamped reports whether reply is the canned reply to payload: the
// captured reply's length, starting with the payload's first
// raw.StampLength bytes (a sequence number and 8 random bytes of the
// caller's), which the canned daemon copies.
func stamped(reply, payload []byte, replyLen int) bool {
	n := min(len(payload), raw.StampLength)
	return len(reply) == replyLen && bytes.Equal(reply[:n], payload[:n])
}

// BenchmarkRaw measures the socket's limit next to the SDK: SURB round
// trips against the canned daemon (package raw) from the raw client and
// from client.Send and client.SendAppend,
// Raw/<size>/c<n>/{raw,sdk,sdk-append}, side by side. c1 times one
// call at a time (ns/op is the round trip); c64 and c1024 report calls/s.
// Every reply is checked against its caller's stamp; "lost" counts the
// misses, errors and replies that were another's.
func BenchmarkRaw(b *testing.B) {
	for _, size := range sizes {
		b.Run(sizeName(size), func(b *testing.B) {
			for _, conc := range concurrencies {
				b.Run(concName(conc), func(b *testing.B) {
					for _, im := range rawImpls {
						b.Run(im.name, func(b *testing.B) {
							d, f := startCanned(b)
							mk, misses := im.start(b, d, f, size)
							lost := runCanned(b, conc, size, f.ReplyPayloadLen, mk)
							b.ReportMetric(float64(lost+misses()), "lost")
							if conc > 1 {
								b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
							}
						})
					}
				})
			}
		})
	}
}

// runCanned runs b.N calls from conc goroutines (1: the benchmark's own)
// and returns how many did not get their own reply.
func runCanned(b *testing.B, conc, size, replyLen int, mk newCall) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	var t tally
	one := func(fn call, c *caller) {
		p := c.next()
		reply, err := fn(ctx, p)
		switch {
		case err != nil:
			t.lost.Add(1)
		case !stamped(reply, p, replyLen):
			t.misrouted.Add(1)
		}
	}
	b.ReportAllocs()
	if conc == 1 {
		fn, c := mk(), newCaller(size)
		for b.Loop() {
			one(fn, c)
		}
	} else {
		b.SetParallelism(parallelism(conc))
		b.RunParallel(func(pb *testing.PB) {
			fn, c := mk(), newCaller(size)
			for pb.Next() {
				one(fn, c)
			}
		})
	}
	return t.total()
}

// TestCanned: the raw client and the SDK each make 100 round trips
// through the canned daemon from 10 goroutines, every reply their own.
func TestCanned(t *testing.T) {
	for _, im := range rawImpls {
		t.Run(im.name, func(t *testing.T) {
			for _, size := range sizes {
				d, f := startCanned(t)
				mk, misses := im.start(t, d, f, size)
				cannedTrips(t, mk, f.ReplyPayloadLen, 10, 100, size)
				if n := misses(); n != 0 {
					t.Fatalf("%d replies missed", n)
				}
			}
		})
	}
}

func cannedTrips(t *testing.T, mk newCall, replyLen, conc, n, size int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errs := make(chan string, conc)
	for range conc {
		go func() {
			fn, c := mk(), newCaller(size)
			for range n / conc {
				p := c.next()
				reply, err := fn(ctx, p)
				if err != nil {
					errs <- err.Error()
					return
				}
				if !stamped(reply, p, replyLen) {
					errs <- "another caller's reply"
					return
				}
			}
			errs <- ""
		}()
	}
	for range conc {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}
