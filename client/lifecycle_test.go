package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/internal/mockdproc"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// answerDoc99 answers a get_pki_document with the captured reply.
func (c *fakeConn) answerDoc99(t testing.TB, req *wire.Request99) {
	r := captured99(t, "06-get_pki_document_reply")
	r.GetPKIDocumentReply.QueryID = req.GetPKIDocument.QueryID
	c.send(r)
}

// sentFor and replyFor build the events of a send_message.
func sentFor(t testing.TB, m *wire.SendMessage) *wire.Response {
	r := captured99(t, "08-message_sent_event-surb")
	r.MessageSent.SURBID = m.SURBID
	return r
}

func replyFor(t testing.TB, m *wire.SendMessage) *wire.Response {
	r := captured99(t, "09-message_reply_event-surb")
	r.MessageReply.SURBID = m.SURBID
	r.MessageReply.Payload = pad(m.Payload)
	return r
}

// TestResumeWithCallsInFlight99: 300 calls in flight when the connection
// drops. The daemon read only some of the frames (it never reads the
// rest), and sent the sent event for only some of those. It resumes the
// session, flushing half of the kept replies before the token reply and
// sending the rest after. Every call ends by the rules of client/DESIGN.md, none
// waits out its deadline: a call that saw its sent event gets its reply;
// a Send that did not ends with ErrConnectionLost; reliable sends
// transmit again and document queries are asked again, and both succeed.
func TestResumeWithCallsInFlight99(t *testing.T) {
	const sends, reliables, queries = 200, 50, 50
	const read, withSent = 120, 60 // frames the daemon reads; of those, sent events
	var (
		mu       sync.Mutex
		conns    int
		pending  []*wire.SendMessage // sent event given, reply owed
		sentSURB = map[wire.SURBID]bool{}
	)
	allStarted := make(chan struct{})
	f := startFake(t, func(c *fakeConn) {
		mu.Lock()
		conns++
		n := conns
		mu.Unlock()
		if n == 1 {
			if !c.greet99(t, nil, false) {
				return
			}
			<-allStarted
			for i := 0; i < read; i++ {
				req, err := c.read99(t)
				if err != nil {
					return
				}
				if m := req.SendMessage; m != nil && i < withSent {
					c.send(sentFor(t, m))
					mu.Lock()
					pending = append(pending, m)
					sentSURB[*m.SURBID] = true
					mu.Unlock()
				}
			}
			return // the rest is never read: the connection closes
		}
		mu.Lock()
		owed := pending
		pending = nil
		mu.Unlock()
		var flushed []*wire.Response
		for _, m := range owed[:len(owed)/2] {
			flushed = append(flushed, replyFor(t, m))
		}
		if !c.greet99(t, nil, true, flushed...) {
			return
		}
		for _, m := range owed[len(owed)/2:] {
			c.send(replyFor(t, m))
		}
		for {
			req, err := c.read99(t)
			if err != nil {
				return
			}
			switch {
			case req.SendMessage != nil:
				c.send(sentFor(t, req.SendMessage))
				c.send(replyFor(t, req.SendMessage))
			case req.GetPKIDocument != nil:
				c.answerDoc99(t, req)
			}
		}
	})
	c := f.mustDial(t, client.WithReconnect(client.ReconnectPolicy{MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}))
	dst := echoDst(t, c)

	var wg, started sync.WaitGroup
	var replied, lostSends atomic.Int64
	var mu2 sync.Mutex
	repliedSURB := map[wire.SURBID]bool{}
	call := func(i int) {
		defer wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		p := []byte(fmt.Sprintf("call %d", i))
		started.Done()
		var r client.Reply
		var err error
		switch {
		case i < sends:
			r, err = c.Send(ctx, dst, p)
		case i < sends+reliables:
			r, err = c.SendReliable(ctx, dst, p)
		default:
			_, err = c.DocumentForEpoch(ctx, 0)
			if err != nil {
				t.Errorf("DocumentForEpoch: %v", err)
			}
			return
		}
		switch {
		case err == nil:
			if !bytes.HasPrefix(r.Payload, p) {
				t.Errorf("call %d got another call's reply", i)
			}
			replied.Add(1)
			mu2.Lock()
			repliedSURB[r.SURBID] = true
			mu2.Unlock()
		case i < sends && errors.Is(err, client.ErrConnectionLost):
			lostSends.Add(1)
		default:
			t.Errorf("call %d: %v", i, err)
		}
	}
	for i := range sends + reliables + queries {
		wg.Add(1)
		started.Add(1)
		go call(i)
	}
	started.Wait()
	close(allStarted)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for s := range sentSURB {
		if !repliedSURB[s] {
			t.Errorf("a call that saw its sent event got no reply")
		}
	}
	if replied.Load()+lostSends.Load() != sends+reliables {
		t.Errorf("%d replies + %d lost != %d sends", replied.Load(), lostSends.Load(), sends+reliables)
	}
	if p := c.Stats().Pending; p != 0 {
		t.Errorf("%d IDs pending", p)
	}
	t.Logf("%d replies, %d sends lost (ambiguous), %d had their sent event", replied.Load(), lostSends.Load(), len(sentSURB))
}

// TestKilledDaemonEndsCallsPromptly: kill -9 of an out-of-process mockd
// with 50 sends in flight. On both generations every call ends with
// ErrConnectionLost well before its deadline: on v0.0.99 the first
// reconnection attempt finds no daemon, so no session can resume.
func TestKilledDaemonEndsCallsPromptly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds mockd")
	}
	generations(t, func(t *testing.T, gen wire.Generation) {
		d := mockdproc.Start(t, gen, "-latency", "1h")
		c, err := client.Dial(context.Background(), client.WithDialer(transport.Unix(d.Addr)),
			client.WithReconnect(client.ReconnectPolicy{MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		dst := echoDst(t, c)
		events, cancel := c.Subscribe()
		defer cancel()
		const calls = 50
		errs := make(chan error, calls)
		var sent atomic.Int64
		for range calls {
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				_, err := c.Send(ctx, dst, []byte("x"))
				errs <- err
			}()
		}
		for sent.Load() < calls {
			if _, ok := (<-events).(*client.MessageSent); ok {
				sent.Add(1)
			}
		}
		start := time.Now()
		d.Kill()
		for range calls {
			if err := <-errs; !errors.Is(err, client.ErrConnectionLost) {
				t.Errorf("Send = %v, want ErrConnectionLost", err)
			}
		}
		t.Logf("%s: %d calls ended %v after the kill", gen, calls, time.Since(start))
	})
}

// TestStalledDaemonHoldsNoMemory: a daemon that accepts and never reads.
// 20,000 no-reply sends with 1 ms deadlines give up; the heap grows by
// far less than their frames would take. The callers whose frames are in
// the one write that got stuck wait for it (no byte of theirs may leave
// after they returned) until the write timeout ends the connection; the
// calls after that end with ErrConnectionLost. Close returns within the
// write timeout.
func TestStalledDaemonHoldsNoMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 calls")
	}
	stop := make(chan struct{})
	f := startFake(t, func(c *fakeConn) {
		c.greet(t)
		<-stop // never read
	})
	defer close(stop)
	const writeTimeout = time.Second
	c := f.mustDial(t, client.WithWriteTimeout(writeTimeout), client.WithReconnect(client.NoReconnect))
	dst := echoDst(t, c)
	payload := bytes.Repeat([]byte{7}, 2000)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	const calls, workers = 20000, 200
	var gaveUp, lost, written, other atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls / workers {
				ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
				err := c.SendNoReply(ctx, dst, payload)
				cancel()
				switch {
				case errors.Is(err, context.DeadlineExceeded):
					gaveUp.Add(1)
				case errors.Is(err, client.ErrConnectionLost) && errors.Is(err, os.ErrDeadlineExceeded):
					lost.Add(1) // after the write timeout ended the connection
				case err == nil:
					written.Add(1) // before the socket filled up
				default:
					if other.Add(1) == 1 {
						t.Errorf("worker %d: %v", w, err)
					}
				}
			}
		}()
	}
	wg.Wait()
	after := heap()
	grown := int64(after) - int64(before)
	t.Logf("%d calls gave up, %d written, %d ended with the connection; heap grew by %d KiB", gaveUp.Load(), written.Load(), lost.Load(), grown/1024)
	// The daemon never reads: only what fits in the socket's buffers can
	// be written (a few dozen 2,000-byte frames); every other call gave
	// up or, once the write timeout ended the connection (sooner, on a
	// loaded machine, than all 20,000 calls could give up), failed with it.
	if written.Load() > calls/100 {
		t.Errorf("%d of %d calls were written: the daemon was not stalled", written.Load(), calls)
	}
	if gaveUp.Load() == 0 {
		t.Error("no call gave up while its frame waited behind the stalled write")
	}
	if grown > 16<<20 {
		t.Errorf("heap grew by %d MiB for abandoned calls", grown>>20)
	}
	start := time.Now()
	c.Close()
	if took := time.Since(start); took > writeTimeout {
		t.Errorf("Close took %v, more than the write timeout %v", took, writeTimeout)
	}
}

// TestWrongTypeRepliesAreDropped: results of the wrong type for live IDs
// (a document reply carrying a send's SURB ID, a message reply carrying a
// query's ID) are dropped and counted; the calls go on to their own.
func TestWrongTypeRepliesAreDropped(t *testing.T) {
	f := startFake(t, func(c *fakeConn) {
		if !c.greet99(t, nil, false) {
			return
		}
		for {
			req, err := c.read99(t)
			if err != nil {
				return
			}
			switch {
			case req.SendMessage != nil:
				wrong := captured99(t, "06-get_pki_document_reply")
				q := wire.QueryID(*req.SendMessage.SURBID)
				wrong.GetPKIDocumentReply.QueryID = &q
				c.send(wrong)
				c.send(replyFor(t, req.SendMessage))
			case req.GetPKIDocument != nil:
				s := wire.SURBID(*req.GetPKIDocument.QueryID)
				c.send(replyFor(t, &wire.SendMessage{SURBID: &s, Payload: []byte("not a document")}))
				c.answerDoc99(t, req)
			}
		}
	})
	c := f.mustDial(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := c.Send(ctx, echoDst(t, c), []byte("mine"))
	if err != nil || !bytes.HasPrefix(r.Payload, []byte("mine")) {
		t.Fatalf("Send = %q, %v", r.Payload, err)
	}
	doc, err := c.DocumentForEpoch(ctx, 0)
	if err != nil || doc == nil {
		t.Fatalf("DocumentForEpoch = %v", err)
	}
	if n := c.Stats().WrongReplies; n != 2 {
		t.Fatalf("WrongReplies = %d, want 2", n)
	}
}

// TestDaemonUnavailable: while no daemon connection exists, a call waits
// within its context and then fails with an error matching both the
// context's and ErrDaemonUnavailable; with WithWaitForReady(false) it
// fails at once. Dial with WithDialRetry waits for a daemon to appear.
func TestDaemonUnavailable(t *testing.T) {
	m := newRestartableMock(t, wire.Generation47)
	dialer := transport.Unix(m.addr)
	for _, wait := range []bool{true, false} {
		t.Run(fmt.Sprintf("wait=%v", wait), func(t *testing.T) {
			c, err := client.Dial(context.Background(), client.WithDialer(dialer), client.WithWaitForReady(wait),
				client.WithReconnect(client.ReconnectPolicy{MinBackoff: time.Hour}))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			dst := echoDst(t, c)
			events, cancel := c.Subscribe()
			defer cancel()
			m.stop()
			for ev := range events {
				if _, ok := ev.(*client.ConnectionLost); ok {
					break
				}
			}
			ctx, cancelCall := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancelCall()
			_, err = c.Send(ctx, dst, []byte("x"))
			if !errors.Is(err, client.ErrDaemonUnavailable) {
				t.Fatalf("Send = %v, want ErrDaemonUnavailable", err)
			}
			if errors.Is(err, context.DeadlineExceeded) != wait {
				t.Fatalf("Send = %v: matches the context's error %v, want %v", err, !wait, wait)
			}
			m.start()
		})
	}
	t.Run("dial retry", func(t *testing.T) {
		m.stop()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err := client.Dial(ctx, client.WithDialer(dialer), client.WithDialRetry(),
			client.WithReconnect(client.ReconnectPolicy{MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}))
		if !errors.Is(err, client.ErrDaemonUnavailable) || !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, transport.ErrDaemonNotRunning) {
			t.Fatalf("Dial with no daemon = %v", err)
		}
		dialed := make(chan error, 1)
		go func() {
			c, err := client.Dial(context.Background(), client.WithDialer(dialer), client.WithDialRetry(),
				client.WithReconnect(client.ReconnectPolicy{MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}))
			if err == nil {
				c.Close()
			}
			dialed <- err
		}()
		m.start()
		if err := <-dialed; err != nil {
			t.Fatalf("Dial with retry = %v", err)
		}
	})
}

// TestReliableEventsCarryTheMessageID99: on v0.0.99 the client sends a
// reliable message as SURB transmissions; their events carry the call's
// message ID, the one the Reply has.
func TestReliableEventsCarryTheMessageID99(t *testing.T) {
	d := startMock(t, wire.Generation99)
	c := dialMock(t, d)
	events, cancel := c.Subscribe()
	defer cancel()
	ctx, cancelCall := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelCall()
	r, err := c.SendReliable(ctx, echoDst(t, c), []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	var sent, replied bool
	for !sent || !replied {
		switch ev := (<-events).(type) {
		case *client.MessageSent:
			sent = ev.MessageID == r.MessageID
		case *client.MessageReply:
			replied = ev.MessageID == r.MessageID
			if !replied {
				t.Fatalf("reply event message ID %x, want %x", ev.MessageID, r.MessageID)
			}
		}
	}
}

// nthWriteFails hands out connections whose writes fail from the nth on.
type nthWriteFails struct {
	transport.Dialer
	n int
}

func (d nthWriteFails) Dial(ctx context.Context) (net.Conn, error) {
	conn, err := d.Dialer.Dial(ctx)
	if err != nil {
		return nil, err
	}
	return &nthFailingConn{Conn: conn, left: d.n}, nil
}

type nthFailingConn struct {
	net.Conn
	left int
}

func (c *nthFailingConn) Write(p []byte) (int, error) {
	if c.left--; c.left < 0 {
		c.Conn.Close()
		return 0, errors.New("write failed")
	}
	return c.Conn.Write(p)
}

// TestNoReplyWriteFails99: a v0.0.99 SendNoReply whose write fails ends
// at once with ErrConnectionLost (the daemon may or may not have it), not
// at its deadline.
func TestNoReplyWriteFails99(t *testing.T) {
	f := startFake(t, func(c *fakeConn) {
		if c.greet99(t, nil, false) {
			c.echoLoop99(t, nil)
		}
	})
	c := f.mustDial(t, client.WithDialer(nthWriteFails{f.dialer(), 1}), client.WithReconnect(client.NoReconnect))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.SendNoReply(ctx, echoDst(t, c), []byte("x")); !errors.Is(err, client.ErrConnectionLost) {
		t.Fatalf("SendNoReply = %v, want ErrConnectionLost", err)
	}
}
