package client_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/wire"
)

// read99 reads a request from a v0.0.99 client and checks that it is
// never a v0.0.47 flat request, which that daemon silently drops (the
// old-client hang).
func (c *fakeConn) read99(t testing.TB) (*wire.Request99, error) {
	body, err := c.r.ReadFrame()
	if err != nil {
		return nil, err
	}
	var flat wire.Request
	if wire.DecodeRequest(body, &flat) == nil && flat.Ops() != 0 {
		t.Errorf("a v0.0.47 request reached a v0.0.99 daemon: %+v", flat)
	}
	var r wire.Request99
	if err := wire.DecodeRequest99(body, &r); err != nil {
		return nil, err
	}
	if r.Ops() != 1 {
		t.Errorf("request with %d operations", r.Ops())
	}
	return &r, nil
}

// captured99 decodes a captured v0.0.99 response.
func captured99(t testing.TB, name string) *wire.Response {
	t.Helper()
	var r wire.Response
	if err := wire.DecodeResponse(captured(t, "99", name), &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// greet99 replays the real v0.0.99 greeting and answers the session token
// with the captured reply (resumed false) or with resumed true, after
// sending the flushed frames first, as the real daemon does.
func (c *fakeConn) greet99(t testing.TB, tokens chan<- wire.Token, resumed bool, flushed ...*wire.Response) bool {
	c.gen = wire.Generation99
	c.sendRaw(captured(t, "99", "01-connection_status_event"))
	c.sendRaw(captured(t, "99", "02-new_pki_document_event"))
	req, err := c.read99(t)
	if err != nil || req.SessionToken == nil || req.SessionToken.ClientInstanceToken == nil {
		t.Errorf("want a session token first, got %+v, %v", req, err)
		return false
	}
	if tokens != nil {
		tokens <- *req.SessionToken.ClientInstanceToken
	}
	for _, f := range flushed {
		c.send(f)
	}
	if resumed {
		c.sendRaw(captured(t, "99", "resume-11-session_token_reply-reconnect"))
	} else {
		c.sendRaw(captured(t, "99", "04-session_token_reply"))
	}
	return true
}

// answer99 answers a send_message with the captured sent and reply
// events, their SURB ID and payload replaced by the request's.
func (c *fakeConn) answer99(t testing.TB, req *wire.Request99) {
	m := req.SendMessage
	sent := captured99(t, "08-message_sent_event-surb")
	sent.MessageSent.SURBID = m.SURBID
	reply := captured99(t, "09-message_reply_event-surb")
	reply.MessageReply.SURBID = m.SURBID
	reply.MessageReply.Payload = pad(m.Payload)
	c.send(sent)
	c.send(reply)
}

func (c *fakeConn) echoLoop99(t testing.TB, seen chan<- *wire.Request99) {
	for {
		req, err := c.read99(t)
		if err != nil {
			return
		}
		if seen != nil {
			seen <- req
		}
		if req.ThinClose != nil {
			return
		}
		if req.SendMessage != nil {
			c.answer99(t, req)
		}
	}
}

func TestDial99(t *testing.T) {
	seen := make(chan *wire.Request99, 10)
	tokens := make(chan wire.Token, 1)
	f := startFake(t, func(c *fakeConn) {
		if c.greet99(t, tokens, false) {
			c.echoLoop99(t, seen)
		}
	})
	c := f.mustDial(t)
	d := c.Daemon()
	if d.Generation != wire.Generation99 || d.MaxPayload != 2000 || d.Geometry == nil || d.Geometry.ForwardPayloadLength != 2574 ||
		d.Resumed || d.AppID == (wire.Token{}) || d.InstanceToken == (wire.Token{}) {
		t.Fatalf("daemon %+v", d)
	}
	if c.Document().Epoch != 2494637 {
		t.Fatalf("epoch %d", c.Document().Epoch)
	}
	dst := echoDst(t, c)
	r, err := c.Send(context.Background(), dst, []byte("hello 99"))
	if err != nil || !bytes.HasPrefix(r.Payload, []byte("hello 99\x00")) || r.ETA != 2216*time.Millisecond ||
		!r.SentAt.Equal(time.Unix(1795631712, 0)) {
		t.Fatalf("Send = %+v, %v", r, err)
	}
	req := <-seen
	if m := req.SendMessage; !m.WithSURB || *m.SURBID != r.SURBID || !bytes.Equal(m.DestinationIDHash, dst.NodeHash[:]) {
		t.Fatalf("request %+v", m)
	}
	// A no-SURB send is lost on this generation: it goes with a SURB.
	if err := c.SendNoReply(context.Background(), dst, []byte("no reply")); err != nil {
		t.Fatal(err)
	}
	if m := (<-seen).SendMessage; !m.WithSURB || m.SURBID == nil {
		t.Fatalf("no-reply request %+v", m)
	}
	// The geometry sets the payload limit.
	if _, err := c.Send(context.Background(), dst, make([]byte, 2001)); !errors.Is(err, client.ErrInvalidRequest) {
		t.Fatalf("2001 bytes: %v", err)
	}
	c.Close()
	if req := <-seen; req.ThinClose == nil {
		t.Fatalf("want thin_close, got %+v", req)
	}
}

func TestMaxPayloadOverridesGeometry(t *testing.T) {
	f := startFake(t, func(c *fakeConn) {
		if c.greet99(t, nil, false) {
			c.echoLoop99(t, nil)
		}
	})
	c := f.mustDial(t, client.WithMaxPayload(10))
	if c.Daemon().MaxPayload != 10 {
		t.Fatal(c.Daemon().MaxPayload)
	}
	if _, err := c.Send(context.Background(), echoDst(t, c), make([]byte, 11)); !errors.Is(err, client.ErrInvalidRequest) {
		t.Fatal(err)
	}
}

func TestErrorCodes99(t *testing.T) {
	f := startFake(t, func(c *fakeConn) {
		if !c.greet99(t, nil, false) {
			return
		}
		for _, code := range []wire.ErrorCode{wire.ErrorCodePayloadTooLarge, wire.ErrorCodeServiceUnavailable, 99} {
			req, err := c.read99(t)
			if err != nil {
				return
			}
			c.send(&wire.Response{MessageReply: &wire.MessageReplyEvent{SURBID: req.SendMessage.SURBID, Payload: []byte{}, ErrorCode: code}})
		}
		req, err := c.read99(t)
		if err != nil {
			return
		}
		c.send(&wire.Response{MessageSent: &wire.MessageSentEvent{SURBID: req.SendMessage.SURBID, Err: &wire.DaemonError{Text: "no route"}}})
		c.echoLoop99(t, nil)
	})
	c := f.mustDial(t)
	dst := echoDst(t, c)
	for _, want := range []struct {
		sentinel error
		code     wire.ErrorCode
	}{{client.ErrInvalidRequest, 27}, {client.ErrServiceUnavailable, 10}, {client.ErrSendFailed, 99}} {
		_, err := c.Send(context.Background(), dst, []byte("x"))
		var de *client.DaemonError
		if !errors.Is(err, want.sentinel) || !errors.As(err, &de) || de.Code != want.code {
			t.Fatalf("Send = %v, want %v with code %d", err, want.sentinel, want.code)
		}
	}
	_, err := c.Send(context.Background(), dst, []byte("x"))
	var de *client.DaemonError
	if !errors.Is(err, client.ErrSendFailed) || !errors.As(err, &de) || de.Text != "no route" {
		t.Fatalf("Send = %v", err)
	}
}

func TestDocumentForEpoch99(t *testing.T) {
	f := startFake(t, func(c *fakeConn) {
		if !c.greet99(t, nil, false) {
			return
		}
		for {
			req, err := c.read99(t)
			if err != nil {
				return
			}
			q := req.GetPKIDocument
			if q == nil {
				continue
			}
			reply := captured99(t, "06-get_pki_document_reply")
			reply.GetPKIDocumentReply.QueryID = q.QueryID
			if q.Epoch != 0 && q.Epoch != 2494637 {
				reply.GetPKIDocumentReply.Payload = nil
				reply.GetPKIDocumentReply.ErrorCode = wire.ErrorCodeServiceUnavailable
			}
			c.send(reply)
		}
	})
	c := f.mustDial(t)
	doc, err := c.DocumentForEpoch(context.Background(), 0)
	if err != nil || doc.Epoch != 2494637 {
		t.Fatalf("DocumentForEpoch(0) = %v, %v", doc, err)
	}
	if _, err := c.DocumentForEpoch(context.Background(), 5); !errors.Is(err, client.ErrServiceUnavailable) {
		t.Fatalf("DocumentForEpoch(5) = %v", err)
	}
}

func TestDocumentForEpoch47(t *testing.T) {
	f := startFake(t, func(c *fakeConn) { c.greet(t); c.echoLoop(nil) })
	c := f.mustDial(t)
	for _, e := range []uint64{0, 2494607} {
		if doc, err := c.DocumentForEpoch(context.Background(), e); err != nil || doc != c.Document() {
			t.Fatalf("DocumentForEpoch(%d) = %v, %v", e, doc, err)
		}
	}
	if _, err := c.DocumentForEpoch(context.Background(), 1); !errors.Is(err, client.ErrUnsupported) {
		t.Fatalf("DocumentForEpoch(1) = %v", err)
	}
}

// TestResume99 replays the real resume: the socket breaks after the sent
// event; the client reconnects with the same token; the daemon flushes
// the reply that came meanwhile before its token reply (resumed true);
// the pending call gets that reply.
func TestResume99(t *testing.T) {
	tokens := make(chan wire.Token, 2)
	var mu sync.Mutex
	var pendingReq *wire.Request99
	conns := 0
	f := startFake(t, func(c *fakeConn) {
		mu.Lock()
		conns++
		n := conns
		mu.Unlock()
		if n == 1 {
			if !c.greet99(t, tokens, false) {
				return
			}
			req, err := c.read99(t)
			if err != nil {
				return
			}
			mu.Lock()
			pendingReq = req
			mu.Unlock()
			sent := captured99(t, "08-message_sent_event-surb")
			sent.MessageSent.SURBID = req.SendMessage.SURBID
			c.send(sent)
			return // hang up without a reply
		}
		mu.Lock()
		req := pendingReq
		mu.Unlock()
		flushed := captured99(t, "resume-10-message_reply_event-reconnect")
		flushed.MessageReply.SURBID = req.SendMessage.SURBID
		if c.greet99(t, tokens, true, flushed) {
			c.echoLoop99(t, nil)
		}
	})
	c := f.mustDial(t, client.WithReconnect(client.ReconnectPolicy{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}))
	events, cancel := c.Subscribe()
	defer cancel()
	r, err := c.Send(context.Background(), echoDst(t, c), []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(r.Payload, []byte("reply queued while disconnected")) {
		t.Fatalf("reply %q", r.Payload[:40])
	}
	if a, b := <-tokens, <-tokens; a != b {
		t.Fatal("the session token changed on reconnect")
	}
	for ev := range events {
		if rc, ok := ev.(*client.Reconnected); ok {
			if !rc.Resumed || rc.Attempt != 1 {
				t.Fatalf("%+v", rc)
			}
			break
		}
	}
	if !c.Daemon().Resumed {
		t.Fatal("Daemon().Resumed false")
	}
}

// TestNotResumed99: after a reconnect that does not resume, pending SURB
// sends end with ErrConnectionLost.
func TestNotResumed99(t *testing.T) {
	var mu sync.Mutex
	conns := 0
	f := startFake(t, func(c *fakeConn) {
		mu.Lock()
		conns++
		n := conns
		mu.Unlock()
		if !c.greet99(t, nil, false) {
			return
		}
		if n == 1 {
			c.read99(t)
			return
		}
		c.echoLoop99(t, nil)
	})
	c := f.mustDial(t, client.WithReconnect(client.ReconnectPolicy{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}))
	if _, err := c.Send(context.Background(), echoDst(t, c), []byte("x")); !errors.Is(err, client.ErrConnectionLost) {
		t.Fatalf("Send = %v", err)
	}
	if _, err := c.Send(context.Background(), echoDst(t, c), []byte("x")); err != nil {
		t.Fatalf("Send after reconnect = %v", err)
	}
}

// TestSendReliable99 retransmits client-side: the daemon ignores the first
// transmission and answers the second, then ignores everything.
func TestSendReliable99(t *testing.T) {
	seen := make(chan *wire.Request99, 20)
	f := startFake(t, func(c *fakeConn) {
		if !c.greet99(t, nil, false) {
			return
		}
		for i := 0; ; i++ {
			req, err := c.read99(t)
			if err != nil {
				return
			}
			seen <- req
			if i == 1 {
				c.answer99(t, req)
			}
		}
	})
	c := f.mustDial(t, client.WithRetransmission(20*time.Millisecond, 3))
	dst := echoDst(t, c)
	r, err := c.SendReliable(context.Background(), dst, []byte("again"))
	if err != nil || !bytes.HasPrefix(r.Payload, []byte("again")) || r.MessageID == (wire.MessageID{}) {
		t.Fatalf("SendReliable = %+v, %v", r, err)
	}
	a, b := <-seen, <-seen
	if *a.SendMessage.SURBID == *b.SendMessage.SURBID || *b.SendMessage.SURBID != r.SURBID {
		t.Fatal("a retransmission must use a fresh SURB ID")
	}
	_, err = c.SendReliable(context.Background(), dst, []byte("lost"))
	if !errors.Is(err, client.ErrRetransmissionsExhausted) {
		t.Fatalf("SendReliable = %v", err)
	}
	// Every transmission was written before the thin close that Close
	// sends: count them up to it.
	c.Close()
	n := 0
	for req := range seen {
		if req.ThinClose != nil {
			break
		}
		n++
	}
	if n != 4 {
		t.Fatalf("%d transmissions, want 1 + 3 retransmissions", n)
	}
}

// TestSlowFirstFrame: a v0.0.99 daemon without a document holds a new
// connection for up to 30 s before its first frame. The first frame has
// its own, longer, timeout; the rest of the handshake the short one.
func TestSlowFirstFrame(t *testing.T) {
	f := startFake(t, func(c *fakeConn) {
		<-time.After(100 * time.Millisecond) // the daemon's delay is the stimulus here
		if c.greet99(t, nil, false) {
			c.echoLoop99(t, nil)
		}
	})
	c := f.mustDial(t, client.WithHandshakeTimeout(50*time.Millisecond), client.WithFirstFrameTimeout(10*time.Second))
	if c.Daemon().Generation != wire.Generation99 {
		t.Fatal(c.Daemon())
	}
}

// TestShutdown99: the v0.0.99 shutdown_event (new spelling) ends the
// connection like a socket loss.
func TestShutdown99(t *testing.T) {
	f := startFake(t, func(c *fakeConn) {
		if !c.greet99(t, nil, false) {
			return
		}
		if _, err := c.read99(t); err != nil {
			return
		}
		c.sendRaw(captured(t, "99", "events-10-shutdown_event"))
		c.read99(t)
	})
	c := f.mustDial(t)
	events, cancel := c.Subscribe()
	defer cancel()
	if _, err := c.Send(context.Background(), echoDst(t, c), []byte("x")); !errors.Is(err, client.ErrConnectionLost) {
		t.Fatalf("Send = %v", err)
	}
	var shutdown bool
	for ev := range events {
		switch ev.(type) {
		case *client.Shutdown:
			shutdown = true
		case *client.ConnectionLost:
			if !shutdown {
				t.Fatal("ConnectionLost before Shutdown")
			}
			return
		}
	}
}
