package bench_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/internal/bench/floor"
	"github.com/katzenthin/katzenthin/wire"
)

// The tests below run each benchmark's machinery briefly and check that
// every call got its own reply, so that `go test ./...` keeps the harness
// working without running its load.

// roundTrips makes n calls of size bytes from conc goroutines.
func roundTrips(t *testing.T, fn call, conc, n, size int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var tl tally
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newCaller(size)
			for range n / conc {
				tl.do(ctx, fn, c)
			}
		}()
	}
	wg.Wait()
	if tl.lost.Load() != 0 || tl.misrouted.Load() != 0 {
		t.Fatalf("%d lost, %d misrouted of %d", tl.lost.Load(), tl.misrouted.Load(), n)
	}
}

func TestFloor(t *testing.T) {
	for _, size := range sizes {
		roundTrips(t, startFloor(t), 10, 100, size)
	}
}

func TestFloorSync(t *testing.T) {
	s, err := floor.Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := floor.DialSync(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	roundTrips(t, func(_ context.Context, p []byte) ([]byte, error) { return c.Call(p) }, 1, 100, 64)
}

// TestCallerCatchesMisroutes: a reply to another caller, or to an earlier
// call, does not pass.
func TestCallerCatchesMisroutes(t *testing.T) {
	a, b := newCaller(64), newCaller(64)
	old := append([]byte(nil), a.next()...)
	if !a.owns(append(old, make([]byte, 100)...)) {
		t.Fatal("own padded reply refused")
	}
	a.next()
	if a.owns(old) {
		t.Fatal("reply to an earlier call accepted")
	}
	if a.owns(b.next()) {
		t.Fatal("another caller's reply accepted")
	}
	if a.owns(a.payload[:10]) {
		t.Fatal("short reply accepted")
	}
}

func TestSend(t *testing.T) {
	for _, gen := range generations {
		t.Run(gen.String(), func(t *testing.T) {
			_, c, dst := startSDK(t, gen)
			for _, size := range sizes {
				roundTrips(t, sendCall(c, dst), 10, 100, size)
			}
		})
	}
}

func TestSendMockd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds mockd")
	}
	for _, gen := range generations {
		t.Run(gen.String(), func(t *testing.T) {
			c, dst := dialSDK(t, startMockd(t, gen))
			roundTrips(t, sendCall(c, dst), 4, 20, 2000)
		})
	}
}

func TestParked(t *testing.T) {
	d, c, dst := startSDK(t, wire.Generation47)
	p := park(t, d, c, dst, 100)
	if p.lost != 0 {
		t.Fatalf("%d parked calls lost their reply", p.lost)
	}
	if p.goroutines < 200 {
		t.Fatalf("%d goroutines with 100 idle and 100 parked", p.goroutines)
	}
	if st := d.Stats(); st.RepliesHeld != 0 {
		t.Fatalf("%d replies still held", st.RepliesHeld)
	}
	t.Logf("heap per parked call %.0f B (noisy at n=100)", p.heapPerCall())
}

func TestResolve(t *testing.T) {
	d, c, dst := startSDK(t, wire.Generation47)
	d.HoldReplies()
	base := d.Stats().Requests
	cy := startCyclers(c, dst, 5)
	waitHeld(t, d, base, 5)
	for range 20 {
		cy.resolveOne(d)
	}
	cy.stop(d)
	if n := cy.t.total(); n != 0 {
		t.Fatalf("%d calls lost their reply", n)
	}
	if st := d.Stats(); st.RepliesHeld != 0 {
		t.Fatalf("%d replies still held", st.RepliesHeld)
	}
}
