package bench_test

import (
	"context"
	"testing"

	"github.com/katzenthin/katzenthin/internal/bench/floor"
)

// impl is one way of making round trips: the floor, or client.Send
// against a mock.
type impl struct {
	name  string
	only1 bool // one caller at a time only
	start func(b *testing.B) call
}

// impls are the round trippers, in the order they run for each payload
// size and concurrency: side by side, so that every round measures all of
// them within seconds of each other on a machine whose speed drifts.
var impls = func() []impl {
	is := []impl{
		// The baseline: no SDK code (package floor).
		{name: "floor", start: func(b *testing.B) call { return startFloor(b) }},
		// The floor's one-caller client, which writes and reads on the
		// caller's goroutine: the lower bound for one call at a time.
		{name: "floor-sync", only1: true, start: startFloorSync},
	}
	for _, gen := range generations {
		// client.Send against the in-process mock.
		is = append(is, impl{name: gen.String(), start: func(b *testing.B) call {
			_, c, dst := startSDK(b, gen)
			return sendCall(c, dst)
		}})
	}
	for _, gen := range generations {
		// The same against mockd in a process of its own: allocs/op and
		// B/op are the client's alone.
		is = append(is, impl{name: gen.String() + "-mockd", start: func(b *testing.B) call {
			c, dst := dialSDK(b, startMockd(b, gen))
			return sendCall(c, dst)
		}})
	}
	return is
}()

func startFloorSync(b *testing.B) call {
	s, err := floor.Listen()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	c, err := floor.DialSync(s.Addr())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return func(_ context.Context, p []byte) ([]byte, error) { return c.Call(p) }
}

// BenchmarkRoundTrip makes SURB round trips of every payload size, one
// at a time (c1: latency) and from many goroutines (throughput), with the
// floor and with the SDK: RoundTrip/<size>/c<n>/<impl>. Every reply is
// checked against its caller's payload; "lost" counts those that were
// not its own or did not come.
func BenchmarkRoundTrip(b *testing.B) {
	for _, size := range sizes {
		b.Run(sizeName(size), func(b *testing.B) {
			for _, conc := range concurrencies {
				b.Run(concName(conc), func(b *testing.B) {
					for _, im := range impls {
						if im.only1 && conc != 1 {
							continue
						}
						b.Run(im.name, func(b *testing.B) {
							runRoundTrips(b, conc, size, im.start(b))
						})
					}
				})
			}
		})
	}
}
