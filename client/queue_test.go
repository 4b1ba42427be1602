package client_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// gatedDialer hands out connections whose writes wait at a gate once it
// is shut, so that a test can hold frames in the client's queue.
type gatedDialer struct {
	transport.Dialer
	mu      sync.Mutex
	shut    bool
	open    chan struct{}
	blocked chan struct{} // a write is waiting at the gate
}

func (g *gatedDialer) Dial(ctx context.Context) (net.Conn, error) {
	conn, err := g.Dialer.Dial(ctx)
	if err != nil {
		return nil, err
	}
	return &gatedConn{Conn: conn, g: g}, nil
}

type gatedConn struct {
	net.Conn
	g *gatedDialer
}

func (c *gatedConn) Write(p []byte) (int, error) {
	c.g.mu.Lock()
	shut := c.g.shut
	c.g.mu.Unlock()
	if shut {
		c.g.blocked <- struct{}{}
		<-c.g.open
	}
	return c.Conn.Write(p)
}

// TestCancelledWhileQueuedIsNotWritten: a caller whose context ends while
// its frame waits behind a blocked write is never written.
func TestCancelledWhileQueuedIsNotWritten(t *testing.T) {
	seen := make(chan *wire.Request, 10)
	f := startFake(t, func(c *fakeConn) { c.greet(t); c.echoLoop(seen) })
	g := &gatedDialer{Dialer: f.dialer(), open: make(chan struct{}), blocked: make(chan struct{}, 1)}
	c := f.mustDial(t, client.WithDialer(g))
	dst := echoDst(t, c)

	g.mu.Lock()
	g.shut = true
	g.mu.Unlock()
	first := make(chan error, 1)
	go func() { _, err := c.Send(context.Background(), dst, []byte("first")); first <- err }()
	<-g.blocked // the writer is stuck writing "first"

	ctx, cancel := context.WithCancel(context.Background())
	queued := make(chan error, 1)
	go func() { _, err := c.Send(ctx, dst, []byte("cancelled")); queued <- err }()
	// Wait until the second call is pending, then cancel it.
	for c.Stats().Pending < 2 {
		runtimeGosched()
	}
	cancel()
	if err := <-queued; !errors.Is(err, context.Canceled) {
		t.Fatalf("queued Send = %v", err)
	}
	g.mu.Lock()
	g.shut = false
	g.mu.Unlock()
	close(g.open)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(context.Background(), dst, []byte("third")); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"first", "third"} {
		if req := <-seen; string(req.Payload) != want {
			t.Fatalf("the daemon saw %q, want %q", req.Payload, want)
		}
	}
}

// failingDialer hands out connections whose next write fails once fail
// is set.
type failingDialer struct {
	transport.Dialer
	mu   sync.Mutex
	fail bool
}

func (d *failingDialer) Dial(ctx context.Context) (net.Conn, error) {
	conn, err := d.Dialer.Dial(ctx)
	if err != nil {
		return nil, err
	}
	return &failingConn{Conn: conn, d: d}, nil
}

type failingConn struct {
	net.Conn
	d *failingDialer
}

func (c *failingConn) Write(p []byte) (int, error) {
	c.d.mu.Lock()
	fail := c.d.fail
	c.d.fail = false // once: the next connection works
	c.d.mu.Unlock()
	if fail {
		return 0, errors.New("write refused")
	}
	return c.Conn.Write(p)
}

// TestFailedWriteEndsTheConnection: when the writer's write fails, the
// connection ends as on any socket loss: the Send, whose frame may have
// left, ends with ErrConnectionLost, and the client reconnects.
func TestFailedWriteEndsTheConnection(t *testing.T) {
	seen := make(chan *wire.Request, 10)
	f := startFake(t, func(c *fakeConn) { c.greet(t); c.echoLoop(seen) })
	d := &failingDialer{Dialer: f.dialer()}
	c := f.mustDial(t, client.WithDialer(d), fastReconnect)
	dst := echoDst(t, c)
	d.mu.Lock()
	d.fail = true
	d.mu.Unlock()
	if _, err := c.Send(context.Background(), dst, []byte("lost")); !errors.Is(err, client.ErrConnectionLost) {
		t.Fatalf("Send over a failing write = %v, want ErrConnectionLost", err)
	}
	if _, err := c.Send(context.Background(), dst, []byte("next")); err != nil {
		t.Fatalf("Send after the reconnection = %v", err)
	}
	if req := <-seen; string(req.Payload) != "next" {
		t.Fatalf("the daemon saw %q", req.Payload)
	}
}
