package bench_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/service"
	"github.com/katzenthin/katzenthin/wire"
)

// parkedPayload is the payload of parked calls.
const parkedPayload = 64

// memory is the part of runtime.MemStats a parked call costs.
type memory struct {
	heapInuse, heapAlloc, stackInuse uint64
}

// measure collects garbage and reads the memory in use.
func measure() memory {
	runtime.GC()
	runtime.GC() // the second frees what the first's finalizers let go
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memory{heapInuse: m.HeapInuse, heapAlloc: m.HeapAlloc, stackInuse: m.StackInuse}
}

func (m memory) sub(o memory) memory {
	return memory{m.heapInuse - o.heapInuse, m.heapAlloc - o.heapAlloc, m.stackInuse - o.stackInuse}
}

// perCall divides a delta among n calls.
func perCall(v uint64, n int) float64 { return float64(int64(v)) / float64(n) }

// parked is what parking n calls costs.
type parked struct {
	n          int
	goroutines int    // goroutines with the calls parked
	idle       memory // n goroutines that do nothing
	daemon     memory // n replies held by the mock (measured with a raw client)
	calls      memory // n goroutines parked in Send, with the mock's share
	lost       int64
}

// heapPerCall is the heap of one parked call beyond its goroutine and
// beyond what the in-process mock holds for it.
func (p *parked) heapPerCall() float64 {
	return perCall(p.calls.heapInuse-p.idle.heapInuse-p.daemon.heapInuse, p.n)
}

// park measures n Sends parked on held replies (see BenchmarkParked),
// then releases them and checks every reply. The mock holds no reply
// when it returns.
func park(tb testing.TB, d *mock.Daemon, c *client.Client, dst service.Destination, n int) parked {
	tb.Helper()
	ctx := context.Background()
	p := parked{n: n}

	// What the mock keeps for n held replies, with a client that is not
	// ours: n requests on a raw connection, whose events are discarded.
	d.HoldReplies()
	before := measure()
	rawHeld(tb, d, dst, n)
	p.daemon = measure().sub(before)
	d.ReleaseReplies() // to a closed connection: dropped
	d.HoldReplies()

	// The callers' payloads exist before the first measurement: they are
	// the callers', not the client's.
	callers := make([]*caller, n)
	for i := range callers {
		callers[i] = newCaller(parkedPayload)
		callers[i].next()
	}

	// n goroutines that do nothing: the cost of a goroutine. Both kinds
	// start the same way (a function of two pointers), so that they cost
	// the same beyond what they do.
	base := measure()
	idle := &idler{stop: make(chan struct{})}
	for range n {
		idle.wg.Add(1)
		go idle.wait(nil)
	}
	withIdle := measure()
	p.idle = withIdle.sub(base)

	// n goroutines parked in Send.
	requests := d.Stats().Requests
	pc := &parkedCalls{ctx: ctx, c: c, dst: dst}
	for _, cl := range callers {
		pc.wg.Add(1)
		go pc.send(cl)
	}
	if err := d.WaitRequests(ctx, int(requests)+n); err != nil {
		tb.Fatal(err)
	}
	if held := d.Stats().RepliesHeld; held != int64(n) {
		tb.Fatalf("%d replies held, want %d", held, n)
	}
	if pending := c.Stats().Pending; pending != n {
		tb.Fatalf("%d calls pending, want %d", pending, n)
	}
	p.calls = measure().sub(withIdle)
	p.goroutines = runtime.NumGoroutine()

	close(idle.stop)
	idle.wg.Wait()
	d.ReleaseReplies()
	pc.wg.Wait()
	p.lost = pc.t.total()
	return p
}

// idler's goroutines wait for stop.
type idler struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

func (i *idler) wait(*caller) {
	defer i.wg.Done()
	<-i.stop
}

// parkedCalls's goroutines each make one Send.
type parkedCalls struct {
	ctx context.Context
	c   *client.Client
	dst service.Destination
	wg  sync.WaitGroup
	t   tally
}

func (pc *parkedCalls) send(cl *caller) {
	defer pc.wg.Done()
	r, err := pc.c.Send(pc.ctx, pc.dst, cl.payload)
	switch {
	case err != nil:
		pc.t.lost.Add(1)
	case !cl.owns(r.Payload):
		pc.t.misrouted.Add(1)
	}
}

// rawHeld sends n SURB requests on a connection of its own, waits until
// the mock holds their replies and closes the connection.
func rawHeld(tb testing.TB, d *mock.Daemon, dst service.Destination, n int) {
	tb.Helper()
	conn, err := d.Dialer().Dial(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		io.Copy(io.Discard, conn)
	}()
	defer func() {
		conn.Close()
		<-drained
	}()
	surb := wire.NewSURBID()
	frame := (&wire.Request{IsSendOp: true, WithSURB: true, SURBID: &surb,
		DestinationIDHash: dst.NodeHash[:], RecipientQueueID: dst.Queue,
		Payload: make([]byte, parkedPayload)}).AppendFrame(nil)
	requests := d.Stats().Requests
	held := d.Stats().RepliesHeld
	var batch []byte
	for i := 0; i < n; {
		batch = batch[:0]
		for ; i < n && len(batch) < 64<<10; i++ {
			batch = append(batch, frame...)
		}
		if _, err := conn.Write(batch); err != nil {
			tb.Fatal(err)
		}
	}
	if err := d.WaitRequests(context.Background(), int(requests)+n); err != nil {
		tb.Fatal(err)
	}
	if got := d.Stats().RepliesHeld - held; got != int64(n) {
		tb.Fatalf("raw: %d replies held, want %d", got, n)
	}
}

// BenchmarkParked parks n Sends on replies the mock holds, then releases
// them; an op is one park-and-release of all n. It reports the heap per
// parked call beyond the caller's goroutine (heap-B/call: the HeapInuse
// delta, less that of n goroutines that do nothing, less what the
// in-process mock holds per reply, measured with a raw client),
// the stack per parked caller (stack-B/call) next to an idle goroutine's
// (idle-stack-B/g, idle-heap-B/g), the mock's share (mock-B/call) and
// the goroutine count with all parked.
func BenchmarkParked(b *testing.B) {
	for _, n := range []int{100_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			d, c, dst := startSDK(b, wire.Generation47)
			var p parked
			for b.Loop() {
				p = park(b, d, c, dst, n)
			}
			b.ReportMetric(p.heapPerCall(), "heap-B/call")
			b.ReportMetric(perCall(p.calls.heapAlloc-p.idle.heapAlloc-p.daemon.heapAlloc, n), "alloc-B/call")
			b.ReportMetric(perCall(p.calls.stackInuse, n), "stack-B/call")
			b.ReportMetric(perCall(p.idle.heapInuse, n), "idle-heap-B/g")
			b.ReportMetric(perCall(p.idle.stackInuse, n), "idle-stack-B/g")
			b.ReportMetric(perCall(p.daemon.heapInuse, n), "mock-B/call")
			b.ReportMetric(float64(p.goroutines), "goroutines")
			b.ReportMetric(float64(p.lost), "lost")
		})
	}
}

// cyclers are n goroutines that each Send, wait for the reply, report it
// on done and Send again, until ctx ends.
type cyclers struct {
	done   chan struct{}
	cancel context.CancelFunc
	wg     sync.WaitGroup
	t      tally
}

func startCyclers(c *client.Client, dst service.Destination, n int) *cyclers {
	ctx, cancel := context.WithCancel(context.Background())
	cy := &cyclers{done: make(chan struct{}), cancel: cancel}
	for range n {
		cy.wg.Add(1)
		go func() {
			defer cy.wg.Done()
			cl := newCaller(parkedPayload)
			for {
				r, err := c.Send(ctx, dst, cl.next())
				switch {
				case errors.Is(err, context.Canceled):
					return
				case err != nil:
					cy.t.lost.Add(1)
					return
				case !cl.owns(r.Payload):
					cy.t.misrouted.Add(1)
				}
				select {
				case cy.done <- struct{}{}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	return cy
}

// stop ends the cyclers: their parked calls are cancelled, and the
// replies held for them are released to nobody.
func (cy *cyclers) stop(d *mock.Daemon) {
	cy.cancel()
	cy.wg.Wait()
	d.ReleaseReplies()
}

// waitHeld waits until the mock holds the replies of n Sends made since
// its Requests counter read base: once the mock has handled those
// requests, what they caused is held (mock.WaitRequests), so the count is
// checked, not polled.
func waitHeld(tb testing.TB, d *mock.Daemon, base int64, n int) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := d.WaitRequests(ctx, int(base)+n); err != nil {
		tb.Fatalf("waiting for %d requests: %v (%d handled)", n, err, d.Stats().Requests-base)
	}
	if held := d.Stats().RepliesHeld; held != int64(n) {
		tb.Fatalf("%d replies held, want %d", held, n)
	}
}

// resolveOne releases the oldest held reply and waits for its caller.
func (cy *cyclers) resolveOne(d *mock.Daemon) {
	for !d.ReleaseOne() {
		runtime.Gosched() // its caller's next Send is on its way
	}
	<-cy.done
}

// BenchmarkResolve measures the time to resolve one reply while n calls
// are parked: an op releases the oldest held reply (mock ReleaseOne) and
// waits until its caller has it; the caller then Sends again, so that n
// stay parked. Demultiplexing is O(1) when the time does not grow with n.
func BenchmarkResolve(b *testing.B) {
	for _, n := range []int{10, 100_000} {
		b.Run(fmt.Sprintf("parked=%d", n), func(b *testing.B) {
			d, c, dst := startSDK(b, wire.Generation47)
			d.HoldReplies()
			base := d.Stats().Requests
			cy := startCyclers(c, dst, n)
			waitHeld(b, d, base, n)
			b.ReportAllocs()
			for b.Loop() {
				cy.resolveOne(d)
			}
			cy.stop(d)
			b.ReportMetric(float64(cy.t.total()), "lost")
		})
	}
}
