package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/internal/ledger"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/service"
	"github.com/katzenthin/katzenthin/wire"
)

type config struct {
	duration   time.Duration
	callers    int
	dropEvery  time.Duration
	loss       float64
	generation wire.Generation
	churn      bool // reconnect in 1-2 ms, measure ghost sends and lost results
}

// result is what a soak saw.
type result struct {
	cfg                                        config
	calls, replies, cancelled, deadlines, lost atomic.Int64
	reliable, noReply, misrouted, otherErrs    atomic.Int64
	attempts                                   atomic.Int64 // requests handed to a connection
	ghosts, lostResults                        atomic.Int64 // churn: writes after return; replies that reached no call
	drops                                      int
	reconnects                                 uint64
	late, wrong                                uint64
	goroutinesBefore, goroutinesAfter          int
	heapBefore, heapAfter                      uint64
	firstOther                                 atomic.Value
}

// leakSlack is the heap growth tolerated between the start and the end of
// a soak, both measured after a GC: pools and the runtime's own caches.
const leakSlack = 16 << 20

func soak(ctx context.Context, cfg config) (*result, error) {
	res := &result{cfg: cfg}
	res.goroutinesBefore, res.heapBefore = settle()

	var b [8]byte
	rand.Read(b[:])
	l, err := net.Listen("unix", "@katzenthin-soak-"+hex.EncodeToString(b[:]))
	if err != nil {
		return nil, err
	}
	led := ledger.New()
	d := mock.New(mock.WithGeneration(cfg.generation), mock.WithLoss(cfg.loss),
		mock.WithLatency(time.Millisecond), mock.WithARQTiming(50*time.Millisecond, time.Second),
		mock.WithService("echo", led.Service))
	served := make(chan struct{})
	go func() { d.Serve(l); close(served) }()

	backoff := client.ReconnectPolicy{MinBackoff: 5 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}
	if cfg.churn {
		backoff = client.ReconnectPolicy{MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}
	}
	c, err := client.Dial(ctx, client.WithDialer(led.Dialer(d.Dialer())), client.WithReconnect(backoff),
		client.WithRetransmission(50*time.Millisecond, 3), client.WithTracer(attemptCounter{res}))
	if err != nil {
		d.Close()
		<-served
		return nil, err
	}
	echo, err := c.Service("echo")
	if err != nil {
		c.Close()
		d.Close()
		<-served
		return nil, err
	}
	dst := echo.Destination()

	soakCtx, stop := context.WithTimeout(ctx, cfg.duration)
	defer stop()
	var wg sync.WaitGroup
	for range cfg.callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for soakCtx.Err() == nil {
				res.call(soakCtx, c, dst, led)
			}
		}()
	}
	drops := time.NewTicker(cfg.dropEvery)
	for running := true; running; {
		select {
		case <-soakCtx.Done():
			running = false
		case <-drops.C:
			d.DropConnections()
			res.drops++
		}
	}
	drops.Stop()
	wg.Wait()
	st := c.Stats()
	res.reconnects, res.late, res.wrong = st.Reconnects, st.LateReplies, st.WrongReplies
	c.Close()
	d.Close()
	<-served
	res.goroutinesAfter, res.heapAfter = settle()
	return res, nil
}

// call makes one call of a random kind, with a random deadline and, one
// time in ten, a cancellation at a random moment.
func (res *result) call(parent context.Context, c *client.Client, dst service.Destination, led *ledger.Ledger) {
	ctx, cancel := context.WithTimeout(parent, time.Duration(5+mrand.IntN(495))*time.Millisecond)
	defer cancel()
	if mrand.IntN(10) == 0 {
		t := time.AfterFunc(time.Duration(mrand.IntN(50))*time.Millisecond, cancel)
		defer t.Stop()
	}
	n := uint64(res.calls.Add(1))
	p := ledger.Payload(n, mrand.IntN(2000))
	rand.Read(p[ledger.PayloadLen:])

	var r client.Reply
	var err error
	switch n := mrand.IntN(10); {
	case n == 0:
		res.noReply.Add(1)
		err = c.SendNoReply(ctx, dst, p)
		r.Payload = p // nothing to check
	case n == 1:
		res.reliable.Add(1)
		r, err = c.SendReliable(ctx, dst, p)
	default:
		r, err = c.Send(ctx, dst, p)
	}
	led.Returned(n)
	res.check(led, n, err == nil)
	switch {
	case err == nil && !bytes.HasPrefix(r.Payload, p):
		res.misrouted.Add(1)
	case err == nil:
		res.replies.Add(1)
	case errors.Is(err, context.Canceled):
		res.cancelled.Add(1)
	case errors.Is(err, context.DeadlineExceeded):
		res.deadlines.Add(1)
	case errors.Is(err, client.ErrConnectionLost), errors.Is(err, client.ErrRetransmissionsExhausted):
		res.lost.Add(1)
	default:
		res.otherErrs.Add(1)
		res.firstOther.CompareAndSwap(nil, err.Error())
	}
}

// check counts call n as a ghost send if a write carried it after it
// returned, and as a lost result if it ended without its reply although
// the reply had reached the client.
func (res *result) check(led *ledger.Ledger, n uint64, ok bool) {
	if led.Ghost(n) {
		res.ghosts.Add(1)
	}
	if !ok && led.ReplyBeforeReturn(n, lostResultMargin) {
		res.lostResults.Add(1)
	}
}

// lostResultMargin is how long before a failed call's return its reply
// must have been read to count as lost: within it, the call's context may
// have ended while the reader was dispatching the reply.
const lostResultMargin = time.Second

// attemptCounter is a client.Tracer that sums the calls' attempts.
type attemptCounter struct{ res *result }

func (a attemptCounter) CallStart(ctx context.Context, _ client.CallInfo) context.Context { return ctx }
func (a attemptCounter) CallEnd(_ context.Context, info client.CallInfo, _ error) {
	a.res.attempts.Add(int64(info.Attempts))
}
func (attemptCounter) ConnectionLost(error)             {}
func (attemptCounter) Reconnected(client.ReconnectInfo) {}

// settle collects garbage until the goroutine count stops falling (the
// client's and daemon's goroutines end asynchronously after Close) and
// returns the goroutine count and the heap in use.
func settle() (int, uint64) {
	n := runtime.NumGoroutine()
	for range 50 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // measurement settling, not synchronisation
		if m := runtime.NumGoroutine(); m >= n {
			break
		} else {
			n = m
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapInuse
}

func (res *result) print(w io.Writer) {
	fmt.Fprintf(w, "soak against a %s mock daemon for %v: %d callers, loss %.0f%%, connections dropped every %v\n",
		res.cfg.generation, res.cfg.duration, res.cfg.callers, res.cfg.loss*100, res.cfg.dropEvery)
	fmt.Fprintf(w, "calls       %d (reliable %d, no-reply %d)\n", res.calls.Load(), res.reliable.Load(), res.noReply.Load())
	fmt.Fprintf(w, "replies     %d\n", res.replies.Load())
	fmt.Fprintf(w, "cancelled   %d\n", res.cancelled.Load())
	fmt.Fprintf(w, "deadlines   %d\n", res.deadlines.Load())
	fmt.Fprintf(w, "lost        %d (connection lost or retransmissions exhausted)\n", res.lost.Load())
	fmt.Fprintf(w, "misrouted   %d\n", res.misrouted.Load())
	fmt.Fprintf(w, "other errs  %d\n", res.otherErrs.Load())
	fmt.Fprintf(w, "drops       %d, reconnections %d, late replies dropped %d, wrong-type or stale results dropped %d\n", res.drops, res.reconnects, res.late, res.wrong)
	fmt.Fprintf(w, "attempts    %d (requests handed to a connection)\n", res.attempts.Load())
	fmt.Fprintf(w, "ghost sends %d (payloads written after their call returned)\n", res.ghosts.Load())
	fmt.Fprintf(w, "lost results %d (replies that reached the client but not their call)\n", res.lostResults.Load())
	fmt.Fprintf(w, "goroutines  %d before, %d after\n", res.goroutinesBefore, res.goroutinesAfter)
	fmt.Fprintf(w, "heap        %.1f MiB before, %.1f MiB after\n", mib(res.heapBefore), mib(res.heapAfter))
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

func (res *result) problems() []string {
	var p []string
	if n := res.misrouted.Load(); n > 0 {
		p = append(p, fmt.Sprintf("%d callers got another caller's reply", n))
	}
	if n := res.otherErrs.Load(); n > 0 {
		p = append(p, fmt.Sprintf("%d unexpected errors, first: %v", n, res.firstOther.Load()))
	}
	if res.goroutinesAfter > res.goroutinesBefore {
		p = append(p, fmt.Sprintf("goroutines leaked: %d before, %d after", res.goroutinesBefore, res.goroutinesAfter))
	}
	if res.heapAfter > res.heapBefore+leakSlack {
		p = append(p, fmt.Sprintf("heap grew from %.1f to %.1f MiB", mib(res.heapBefore), mib(res.heapAfter)))
	}
	if n := res.ghosts.Load(); n > 0 {
		p = append(p, fmt.Sprintf("%d ghost sends", n))
	}
	if n := res.lostResults.Load(); n > 0 {
		p = append(p, fmt.Sprintf("%d results reached the client but not their call", n))
	}
	if res.replies.Load() == 0 {
		p = append(p, "no call got a reply")
	}
	return p
}
