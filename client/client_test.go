package client_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/service"
	"github.com/katzenthin/katzenthin/wire"
)

func echoDst(t testing.TB, c *client.Client) service.Destination {
	t.Helper()
	d, err := c.Service("echo")
	if err != nil {
		t.Fatal(err)
	}
	return d.Destination()
}

func TestSendEcho(t *testing.T) {
	seen := make(chan *wire.Request, 10)
	f := startFake(t, func(c *fakeConn) { c.greet(t); c.echoLoop(seen) })
	c := f.mustDial(t)
	if c.Document() == nil || c.Document().Epoch != 2494607 || !c.Connected() {
		t.Fatalf("after Dial: document %v, connected %v", c.Document(), c.Connected())
	}
	if d := c.Daemon(); d.Generation != wire.Generation47 || d.MaxPayload != client.DefaultMaxPayload {
		t.Fatalf("daemon %+v", d)
	}
	dst := echoDst(t, c)
	reply, err := c.Send(context.Background(), dst, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if len(reply.Payload) != replySize || !bytes.HasPrefix(reply.Payload, []byte("hello\x00")) {
		t.Fatalf("reply %q...", reply.Payload[:10])
	}
	if reply.ETA != time.Second || reply.SentAt.IsZero() {
		t.Fatalf("sent facts: %v %v", reply.SentAt, reply.ETA)
	}
	req := <-seen
	if !req.IsSendOp || !req.WithSURB || *req.SURBID != reply.SURBID || !bytes.Equal(req.DestinationIDHash, dst.NodeHash[:]) {
		t.Fatalf("request %+v", req)
	}
}

// TestConcurrentCallersGetTheirOwnReplies: 1,000 callers with random
// payloads, a fifth of them cancelling at random points; the daemon
// answers each batch of requests in flight in a shuffled order; every
// caller that is not cancelled checks its own echo.
func TestConcurrentCallersGetTheirOwnReplies(t *testing.T) {
	const callers = 1000
	f := startFake(t, func(c *fakeConn) {
		c.greet(t)
		for {
			batch, err := c.readBatch()
			for _, i := range mrand.Perm(len(batch)) {
				c.answer(batch[i])
			}
			if err != nil {
				return
			}
		}
	})
	c := f.mustDial(t)
	dst := echoDst(t, c)
	var wg sync.WaitGroup
	var wrong, cancelled, ok atomic.Int64
	errs := make(chan error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if i%5 == 0 {
				// Cancel at a random point: before, during or after.
				go func() {
					for range mrand.IntN(100) {
						runtime.Gosched()
					}
					cancel()
				}()
			}
			p := make([]byte, 1+mrand.IntN(2000))
			rand.Read(p)
			r, err := c.Send(ctx, dst, p)
			switch {
			case errors.Is(err, context.Canceled):
				cancelled.Add(1)
			case err != nil:
				errs <- err
			case !bytes.Equal(r.Payload[:len(p)], p) || len(r.Payload) != replySize:
				wrong.Add(1)
			default:
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := wrong.Load(); n != 0 {
		t.Fatalf("%d callers got another caller's reply", n)
	}
	if ok.Load() < callers*4/5 {
		t.Fatalf("only %d replies", ok.Load())
	}
	if p := c.Stats().Pending; p != 0 {
		t.Fatalf("%d futures left", p)
	}
	t.Logf("%d replies, %d cancelled", ok.Load(), cancelled.Load())
}

func TestCancelFreesEntryAndLateReplyIsDropped(t *testing.T) {
	got := make(chan *wire.Request, 1)
	release := make(chan struct{})
	answered := make(chan struct{})
	f := startFake(t, func(c *fakeConn) {
		c.greet(t)
		req, err := c.readRequest()
		if err != nil {
			return
		}
		got <- req
		<-release
		c.answer(req)
		close(answered)
		c.echoLoop(nil)
	})
	c := f.mustDial(t)
	dst := echoDst(t, c)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := c.Send(ctx, dst, []byte("x")); errc <- err }()
	<-got
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Send = %v, want context.Canceled", err)
	}
	if p := c.Stats().Pending; p != 0 {
		t.Fatalf("%d futures left after cancel", p)
	}
	close(release)
	within(t, answered, "the late reply")
	// A round trip after the late reply proves the reader has handled it.
	if _, err := c.Send(context.Background(), dst, []byte("y")); err != nil {
		t.Fatal(err)
	}
	if late := c.Stats().LateReplies; late < 1 {
		t.Fatalf("late replies %d, want at least 1", late)
	}
}

func TestDeadlineWhileDaemonNeverReplies(t *testing.T) {
	f := startFake(t, func(c *fakeConn) {
		c.greet(t)
		for {
			if _, err := c.readRequest(); err != nil {
				return
			}
		}
	})
	c := f.mustDial(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Send(ctx, echoDst(t, c), []byte("x")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send = %v", err)
	}
	if p := c.Stats().Pending; p != 0 {
		t.Fatalf("%d futures left", p)
	}
}

func TestDaemonClosesWithCallsPending(t *testing.T) {
	const pending = 20
	f := startFake(t, func(c *fakeConn) {
		c.greet(t)
		for range pending {
			if _, err := c.readRequest(); err != nil {
				return
			}
		}
		// All requests are in: hang up on them.
	})
	c := f.mustDial(t)
	dst := echoDst(t, c)
	events, cancel := c.Subscribe()
	defer cancel()
	errs := make(chan error, pending)
	for range pending {
		go func() { _, err := c.Send(context.Background(), dst, []byte("x")); errs <- err }()
	}
	for range pending {
		if err := <-errs; !errors.Is(err, client.ErrConnectionLost) {
			t.Fatalf("Send = %v, want ErrConnectionLost", err)
		}
	}
	if _, err := c.Send(context.Background(), dst, []byte("x")); !errors.Is(err, client.ErrConnectionLost) {
		t.Fatalf("Send after loss = %v", err)
	}
	if c.Connected() {
		t.Fatal("Connected after loss")
	}
	for ev := range events {
		if l, ok := ev.(*client.ConnectionLost); ok {
			if !l.Final || !errors.Is(l.Err, client.ErrConnectionLost) {
				t.Fatalf("%+v", l)
			}
			break
		}
	}
}

func TestHandshakeTimeout(t *testing.T) {
	t.Run("silent daemon", func(t *testing.T) {
		f := startFake(t, func(c *fakeConn) { c.readRequest() })
		start := time.Now()
		_, err := f.dial(t, client.WithFirstFrameTimeout(50*time.Millisecond))
		if !errors.Is(err, client.ErrHandshakeTimeout) {
			t.Fatalf("Dial = %v", err)
		}
		_ = start
	})
	t.Run("status then silence", func(t *testing.T) {
		f := startFake(t, func(c *fakeConn) {
			c.sendRaw(captured(t, "47", "01-connection_status_event"))
			c.readRequest()
		})
		if _, err := f.dial(t, client.WithHandshakeTimeout(50*time.Millisecond)); !errors.Is(err, client.ErrHandshakeTimeout) {
			t.Fatalf("Dial = %v", err)
		}
	})
	t.Run("context", func(t *testing.T) {
		f := startFake(t, func(c *fakeConn) { c.readRequest() })
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if _, err := client.Dial(ctx, client.WithDialer(f.dialer())); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Dial = %v", err)
		}
	})
}

func TestInvalidRequestsNeverReachTheSocket(t *testing.T) {
	seen := make(chan *wire.Request, 100)
	f := startFake(t, func(c *fakeConn) { c.greet(t); c.echoLoop(seen) })
	c := f.mustDial(t, client.WithMaxPayload(100))
	dst := echoDst(t, c)
	bad := map[string]struct {
		dst     service.Destination
		payload []byte
	}{
		"no node":        {service.Destination{Queue: []byte("+echo")}, nil},
		"empty queue":    {service.Destination{NodeHash: dst.NodeHash}, nil},
		"long queue":     {service.Destination{NodeHash: dst.NodeHash, Queue: make([]byte, 33)}, nil},
		"payload at 101": {dst, make([]byte, 101)},
	}
	for name, tc := range bad {
		for _, send := range []func() error{
			func() error { _, err := c.Send(context.Background(), tc.dst, tc.payload); return err },
			func() error { _, err := c.SendReliable(context.Background(), tc.dst, tc.payload); return err },
			func() error { return c.SendNoReply(context.Background(), tc.dst, tc.payload) },
		} {
			if err := send(); !errors.Is(err, client.ErrInvalidRequest) {
				t.Fatalf("%s: %v, want ErrInvalidRequest", name, err)
			}
		}
	}
	// A valid request afterwards is the first thing the daemon sees.
	if _, err := c.Send(context.Background(), dst, make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	if req := <-seen; len(req.Payload) != 100 {
		t.Fatalf("the daemon saw a %d-byte payload first", len(req.Payload))
	}
}

func TestCloseDuringCalls(t *testing.T) {
	seen := make(chan *wire.Request, 100)
	f := startFake(t, func(c *fakeConn) {
		c.greet(t)
		for {
			req, err := c.readRequest()
			if err != nil {
				return
			}
			seen <- req
		}
	})
	c := f.mustDial(t)
	dst := echoDst(t, c)
	errs := make(chan error, 10)
	for range 10 {
		go func() { _, err := c.Send(context.Background(), dst, []byte("x")); errs <- err }()
	}
	for range 10 {
		<-seen
	}
	closed := make(chan struct{})
	go func() { c.Close(); close(closed) }()
	c.Close() // concurrently, twice
	within(t, closed, "Close")
	for range 10 {
		if err := <-errs; !errors.Is(err, client.ErrClosed) {
			t.Fatalf("Send = %v, want ErrClosed", err)
		}
	}
	if req := <-seen; !req.IsThinClose {
		t.Fatalf("after Close the daemon saw %+v, want thin close", req)
	}
	if _, err := c.Send(context.Background(), dst, nil); !errors.Is(err, client.ErrClosed) {
		t.Fatalf("Send after Close = %v", err)
	}
}

func TestOfflineFailsFast(t *testing.T) {
	f := startFake(t, func(c *fakeConn) {
		c.sendRaw(captured(t, "47", "gwdown-03-connection_status_event-disconnected"))
		c.sendRaw(captured(t, "47", "02-new_pki_document_event"))
		c.echoLoop(nil)
	})
	c := f.mustDial(t)
	if c.Connected() {
		t.Fatal("Connected while the daemon is offline")
	}
	if _, err := c.Send(context.Background(), echoDst(t, c), []byte("x")); !errors.Is(err, client.ErrOffline) {
		t.Fatalf("Send = %v", err)
	}
}

func TestSentEventWithErrorFailsAtOnce(t *testing.T) {
	f := startFake(t, func(c *fakeConn) {
		c.greet(t)
		req, err := c.readRequest()
		if err != nil {
			return
		}
		c.send(&wire.Response{MessageSent: &wire.MessageSentEvent{SURBID: req.SURBID, SentAt: time.Now(), Err: &wire.DaemonError{}}})
		c.readRequest()
	})
	c := f.mustDial(t)
	_, err := c.Send(context.Background(), echoDst(t, c), []byte("x"))
	var de *client.DaemonError
	if !errors.Is(err, client.ErrSendFailed) || !errors.As(err, &de) {
		t.Fatalf("Send = %v", err)
	}
}

func TestSendReliable47(t *testing.T) {
	seen := make(chan *wire.Request, 10)
	f := startFake(t, func(c *fakeConn) {
		c.greet(t)
		req, _ := c.readRequest()
		seen <- req
		c.answer(req)
		// The second gives up, as the daemon does after 3 retransmissions.
		req, _ = c.readRequest()
		surb := wire.NewSURBID()
		c.send(&wire.Response{MessageReply: &wire.MessageReplyEvent{MessageID: req.ID, SURBID: &surb, Payload: []byte{}, Err: &wire.DaemonError{}}})
		c.echoLoop(nil)
	})
	c := f.mustDial(t)
	dst := echoDst(t, c)
	r, err := c.SendReliable(context.Background(), dst, []byte("reliable"))
	if err != nil {
		t.Fatal(err)
	}
	req := <-seen
	if !req.IsARQSendOp || req.ID == nil || req.SURBID != nil || *req.ID != r.MessageID || !bytes.HasPrefix(r.Payload, []byte("reliable")) {
		t.Fatalf("request %+v reply %+v", req, r)
	}
	if _, err := c.SendReliable(context.Background(), dst, []byte("x")); !errors.Is(err, client.ErrRetransmissionsExhausted) {
		t.Fatalf("SendReliable = %v", err)
	}
}

func TestSendNoReplyCarriesASURBID(t *testing.T) {
	seen := make(chan *wire.Request, 10)
	f := startFake(t, func(c *fakeConn) { c.greet(t); c.echoLoop(seen) })
	c := f.mustDial(t)
	if err := c.SendNoReply(context.Background(), echoDst(t, c), []byte("fire and forget")); err != nil {
		t.Fatal(err)
	}
	req := <-seen
	if !req.IsSendOp || req.WithSURB || req.SURBID == nil || req.Ops() != 1 {
		t.Fatalf("%+v: a no-reply send needs a random SURB ID (docs/protocol.md 4)", req)
	}
}

func TestSubscribe(t *testing.T) {
	f := startFake(t, func(c *fakeConn) { c.greet(t); c.echoLoop(nil) })
	c := f.mustDial(t, client.WithSubscriberBuffer(2))
	events, cancel := c.Subscribe()
	slow, cancelSlow := c.Subscribe()
	defer cancelSlow()
	expectCurrent(t, events, true, c.Document())
	dst := echoDst(t, c)
	r, err := c.Send(context.Background(), dst, []byte("observed"))
	if err != nil {
		t.Fatal(err)
	}
	sent := (<-events).(*client.MessageSent)
	reply := (<-events).(*client.MessageReply)
	if sent.SURBID != r.SURBID || reply.SURBID != r.SURBID || !bytes.Equal(reply.Payload, r.Payload) {
		t.Fatalf("events %+v %+v", sent, reply)
	}
	reply.Payload[0] = 'X'
	if r.Payload[0] != 'o' {
		t.Fatal("a subscriber's payload aliases the caller's")
	}
	cancel()
	if _, ok := <-events; ok {
		t.Fatal("channel open after cancel")
	}
	// The slow subscriber (buffer 2) never read: its buffer holds the
	// state it started with, so the 2 events of the first send and the 6
	// of three more are dropped for it and counted, and a marker says how
	// many when it catches up.
	for range 3 {
		if _, err := c.Send(context.Background(), dst, []byte("more")); err != nil {
			t.Fatal(err)
		}
	}
	if d := c.Stats().DroppedEvents; d != 8 {
		t.Fatalf("dropped %d events, want 8", d)
	}
	expectCurrent(t, slow, true, c.Document())
	if _, err := c.Send(context.Background(), dst, []byte("again")); err != nil {
		t.Fatal(err)
	}
	if m, ok := (<-slow).(*client.EventsDropped); !ok || m.Count != 8 {
		t.Fatalf("want an EventsDropped{8} marker, got %#v", m)
	}
}

func TestDialErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := client.Dial(ctx, client.WithMaxPayload(-1)); err == nil {
		t.Fatal("bad option accepted")
	}
	_, err := client.Dial(ctx, client.WithDialer(unixDialer("@katzenthin-nobody-"+fmt.Sprint(time.Now().UnixNano()))))
	if err == nil {
		t.Fatal("dialled nobody")
	}
}
