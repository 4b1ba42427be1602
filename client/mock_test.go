package client_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

// generations runs a test against a mock daemon of each generation: the
// same client calls must work against both.
func generations(t *testing.T, test func(t *testing.T, gen wire.Generation)) {
	for _, gen := range []wire.Generation{wire.Generation47, wire.Generation99} {
		t.Run(gen.String(), func(t *testing.T) { test(t, gen) })
	}
}

// startMock starts a mock daemon of gen that fails the test, at cleanup,
// if it saw a request the real daemon would have crashed on, or (v0.0.99)
// an old-style request the real daemon would have silently dropped.
func startMock(t testing.TB, gen wire.Generation, opts ...mock.Option) *mock.Daemon {
	t.Helper()
	d := mock.Start(t, append([]mock.Option{mock.WithGeneration(gen)}, opts...)...)
	t.Cleanup(func() { checkMock(t, d) })
	return d
}

func checkMock(t testing.TB, d *mock.Daemon) {
	if v := d.Violations(); len(v) > 0 {
		t.Errorf("requests that crash the real daemon: %v", v)
	}
	if n := d.Stats().Ignored; n > 0 {
		t.Errorf("%d requests the daemon ignored (the old-client hang)", n)
	}
}

// fastReconnect reconnects at once, for tests.
var fastReconnect = client.WithReconnect(client.ReconnectPolicy{MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond})

func dialMock(t testing.TB, d *mock.Daemon, opts ...client.Option) *client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, append([]client.Option{client.WithDialer(d.Dialer())}, opts...)...)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestMockSendKinds(t *testing.T) {
	generations(t, func(t *testing.T, gen wire.Generation) {
		got := make(chan []byte, 10)
		d := startMock(t, gen, mock.WithService("sink", func(p []byte) []byte {
			got <- append([]byte(nil), p...)
			return nil
		}))
		c := dialMock(t, d)
		if c.Daemon().Generation != gen {
			t.Fatalf("generation %v", c.Daemon().Generation)
		}
		dst := echoDst(t, c)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r, err := c.Send(ctx, dst, []byte("surb"))
		if err != nil || !bytes.HasPrefix(r.Payload, []byte("surb\x00")) || len(r.Payload) != mock.DefaultReplySize || r.SentAt.IsZero() {
			t.Fatalf("Send = %q, %v", r.Payload, err)
		}
		r, err = c.SendReliable(ctx, dst, []byte("arq"))
		if err != nil || !bytes.HasPrefix(r.Payload, []byte("arq\x00")) || r.MessageID == (wire.MessageID{}) {
			t.Fatalf("SendReliable = %+v, %v", r, err)
		}
		sink, err := c.Service("sink")
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SendNoReply(ctx, sink.Destination(), []byte("no reply")); err != nil {
			t.Fatal(err)
		}
		// The service got it: on v0.0.99 only because it went with a SURB.
		if p := <-got; string(p) != "no reply" {
			t.Fatalf("service got %q", p)
		}
	})
}

// TestReplyIsCallersOwn: a reply's payload is the caller's memory: the
// replies that come after it (whose frames reuse the reader's buffers)
// leave it as it was.
func TestReplyIsCallersOwn(t *testing.T) {
	generations(t, func(t *testing.T, gen wire.Generation) {
		c := dialMock(t, startMock(t, gen))
		dst := echoDst(t, c)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var kept [][]byte
		for i := range 20 {
			p := bytes.Repeat([]byte{byte(i + 1)}, 100+i)
			r, err := c.Send(ctx, dst, p)
			if err != nil {
				t.Fatal(err)
			}
			kept = append(kept, r.Payload)
		}
		for i, p := range kept {
			want := bytes.Repeat([]byte{byte(i + 1)}, 100+i)
			if !bytes.HasPrefix(p, want) || p[len(want)] != 0 {
				t.Fatalf("reply %d changed after later calls: % x", i, p[:8])
			}
		}
	})
}

func TestMockConcurrentCallers(t *testing.T) {
	generations(t, func(t *testing.T, gen wire.Generation) {
		d := startMock(t, gen)
		c := dialMock(t, d)
		dst := echoDst(t, c)
		const callers = 1000
		var wrong atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, callers)
		for i := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				p := make([]byte, 1+i%2000)
				rand.Read(p)
				r, err := c.Send(ctx, dst, p)
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(r.Payload[:len(p)], p) {
					wrong.Add(1)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if wrong.Load() != 0 {
			t.Fatalf("%d misrouted replies", wrong.Load())
		}
	})
}

func TestMockLoss(t *testing.T) {
	generations(t, func(t *testing.T, gen wire.Generation) {
		d := startMock(t, gen, mock.WithLoss(1), mock.WithARQTiming(time.Millisecond, 10*time.Millisecond))
		c := dialMock(t, d, client.WithRetransmission(5*time.Millisecond, 3))
		dst := echoDst(t, c)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if _, err := c.Send(ctx, dst, []byte("lost")); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Send = %v", err)
		}
		ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := c.SendReliable(ctx, dst, []byte("lost")); !errors.Is(err, client.ErrRetransmissionsExhausted) {
			t.Fatalf("SendReliable = %v", err)
		}
	})
}

// waitStatus waits for a status event saying connected.
func waitStatus(t testing.TB, events <-chan client.Event, connected bool) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-events:
			if s, ok := ev.(*client.ConnectionStatus); ok && s.Connected == connected {
				return
			}
		case <-timeout:
			t.Fatalf("no status event with connected=%v", connected)
		}
	}
}

func TestMockOffline(t *testing.T) {
	generations(t, func(t *testing.T, gen wire.Generation) {
		d := startMock(t, gen, mock.WithOffline())
		c := dialMock(t, d)
		events, cancel := c.Subscribe()
		defer cancel()
		dst := echoDst(t, c)
		if _, err := c.Send(context.Background(), dst, []byte("x")); !errors.Is(err, client.ErrOffline) || c.Connected() {
			t.Fatalf("Send = %v, connected %v", err, c.Connected())
		}
		d.SetConnected(true)
		waitStatus(t, events, true)
		if _, err := c.Send(context.Background(), dst, []byte("x")); err != nil || !c.Connected() {
			t.Fatalf("Send = %v", err)
		}
	})
}

func TestMockPublishDocument(t *testing.T) {
	generations(t, func(t *testing.T, gen wire.Generation) {
		d := startMock(t, gen)
		c := dialMock(t, d)
		events, cancel := c.Subscribe()
		defer cancel()
		expectCurrent(t, events, true, c.Document())
		next := *d.Document()
		next.Epoch++
		d.PublishDocument(&next)
		for ev := range events {
			if nd, ok := ev.(*client.NewDocument); ok {
				if nd.Document.Epoch != next.Epoch || c.Document().Epoch != next.Epoch {
					t.Fatalf("epoch %d", nd.Document.Epoch)
				}
				return
			}
		}
	})
}

// TestMockDropWhileInFlight: the daemon crashes with 1,000 calls in
// flight, each of which saw its sent event. SURB sends end with
// ErrConnectionLost on v0.0.47 (their SURBs died); v0.0.99 resumes the
// session and they get their replies; reliable sends are re-sent and get
// theirs on both.
func TestMockDropWhileInFlight(t *testing.T) {
	generations(t, func(t *testing.T, gen wire.Generation) {
		d := startMock(t, gen)
		c := dialMock(t, d, fastReconnect, client.WithSubscriberBuffer(4096))
		dst := echoDst(t, c)
		events, cancel := c.Subscribe()
		defer cancel()
		d.HoldReplies()
		const calls = 1000
		var wg sync.WaitGroup
		var lost, ok, reliableOK, other atomic.Int64
		for i := range calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				p := []byte{byte(i), byte(i >> 8)}
				var r client.Reply
				var err error
				if i%10 == 0 {
					r, err = c.SendReliable(ctx, dst, p)
				} else {
					r, err = c.Send(ctx, dst, p)
				}
				switch {
				case err == nil && bytes.HasPrefix(r.Payload, p) && i%10 == 0:
					reliableOK.Add(1)
				case err == nil && bytes.HasPrefix(r.Payload, p):
					ok.Add(1)
				case errors.Is(err, client.ErrConnectionLost):
					lost.Add(1)
				default:
					other.Add(1)
					t.Errorf("call %d: %v", i, err)
				}
			}()
		}
		// Every call's sent event has reached the client: on v0.0.99 a
		// resumed session then keeps them all.
		for sent := 0; sent < calls; {
			if _, ok := (<-events).(*client.MessageSent); ok {
				sent++
			}
		}
		d.DropConnections()
		// Wait for the reconnection, then let the held replies go.
		for ev := range events {
			if _, ok := ev.(*client.Reconnected); ok {
				break
			}
		}
		d.ReleaseReplies()
		wg.Wait()
		if reliableOK.Load() != calls/10 {
			t.Fatalf("%d of %d reliable sends got their reply", reliableOK.Load(), calls/10)
		}
		want := map[wire.Generation][2]int64{wire.Generation47: {0, calls * 9 / 10}, wire.Generation99: {calls * 9 / 10, 0}}[gen]
		if ok.Load() != want[0] || lost.Load() != want[1] {
			t.Fatalf("%d replies, %d lost; want %d and %d", ok.Load(), lost.Load(), want[0], want[1])
		}
		if p := c.Stats().Pending; p != 0 {
			t.Fatalf("%d futures left", p)
		}
	})
}

// restartableMock is a mock daemon on a fixed address that a test can
// stop and replace.
type restartableMock struct {
	t    testing.TB
	addr string
	gen  wire.Generation
	d    *mock.Daemon
	done chan error
}

func newRestartableMock(t testing.TB, gen wire.Generation) *restartableMock {
	var b [8]byte
	rand.Read(b[:])
	m := &restartableMock{t: t, addr: "@katzenthin-restart-" + hex.EncodeToString(b[:]), gen: gen}
	m.start()
	t.Cleanup(m.stop)
	return m
}

func (m *restartableMock) start() {
	l, err := net.Listen("unix", m.addr)
	if err != nil {
		m.t.Fatal(err)
	}
	m.d = mock.New(mock.WithGeneration(m.gen))
	m.done = make(chan error, 1)
	go func(d *mock.Daemon, done chan error) { done <- d.Serve(l) }(m.d, m.done)
}

func (m *restartableMock) stop() {
	if m.d != nil {
		m.d.Close()
		<-m.done
		checkMock(m.t, m.d)
		m.d = nil
	}
}

func TestMockDaemonRestarts(t *testing.T) {
	generations(t, func(t *testing.T, gen wire.Generation) {
		m := newRestartableMock(t, gen)
		c := dialMock(t, m.d, client.WithDialer(unixDialer(m.addr)), fastReconnect)
		events, cancel := c.Subscribe()
		defer cancel()
		first := c.Document()
		dst := echoDst(t, c)
		m.stop()
		for ev := range events {
			if _, ok := ev.(*client.ConnectionLost); ok {
				break
			}
		}
		// Down longer than the callers' deadlines: they wait for the
		// reconnection within their contexts, then give up.
		for range 5 {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			_, err := c.Send(ctx, dst, []byte("x"))
			cancel()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Send while down = %v", err)
			}
		}
		if c.Connected() {
			t.Fatal("Connected while the daemon is down")
		}
		// A new daemon with a different document takes its place.
		m.start()
		for ev := range events {
			if _, ok := ev.(*client.Reconnected); ok {
				break
			}
		}
		if c.Document() == first || bytes.Equal(c.Document().ServiceNodes[0].IdentityKey, first.ServiceNodes[0].IdentityKey) {
			t.Fatal("the new daemon's document did not replace the old one")
		}
		ctx, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel2()
		if _, err := c.Send(ctx, echoDst(t, c), []byte("again")); err != nil {
			t.Fatalf("Send after the restart = %v", err)
		}
		if c.Stats().Reconnects != 1 {
			t.Fatalf("%d reconnects", c.Stats().Reconnects)
		}
	})
}

func TestCloseDuringBackoff(t *testing.T) {
	m := newRestartableMock(t, wire.Generation47)
	c, err := client.Dial(context.Background(), client.WithDialer(unixDialer(m.addr)),
		client.WithReconnect(client.ReconnectPolicy{MinBackoff: time.Hour, MaxBackoff: time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	events, cancel := c.Subscribe()
	defer cancel()
	m.stop()
	for ev := range events {
		if _, ok := ev.(*client.ConnectionLost); ok {
			break
		}
	}
	waiting := make(chan error, 1)
	go func() { _, err := c.Send(context.Background(), echoDst(t, c), []byte("x")); waiting <- err }()
	closed := make(chan struct{})
	go func() { c.Close(); close(closed) }()
	within(t, closed, "Close during an hour-long backoff")
	if err := <-waiting; !errors.Is(err, client.ErrClosed) {
		t.Fatalf("a call waiting for the reconnection got %v", err)
	}
}

func TestReconnectOffFailsFast(t *testing.T) {
	m := newRestartableMock(t, wire.Generation47)
	c := dialMock(t, m.d, client.WithDialer(unixDialer(m.addr)), client.WithReconnect(client.NoReconnect))
	dst := echoDst(t, c)
	m.stop()
	_, err := c.Send(context.Background(), dst, []byte("x"))
	for errors.Is(err, client.ErrOffline) {
		// The loss may not have been noticed yet: the shutdown event
		// made the daemon offline first.
		_, err = c.Send(context.Background(), dst, []byte("x"))
	}
	if !errors.Is(err, client.ErrConnectionLost) {
		t.Fatalf("Send = %v", err)
	}
}
