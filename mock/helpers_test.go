package mock_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

// frameTimeout bounds every read: a failure timeout, never a way to wait.
const frameTimeout = 10 * time.Second

var generations = []wire.Generation{wire.Generation47, wire.Generation99}

// forEachGeneration runs f once per protocol generation, in parallel.
func forEachGeneration(t *testing.T, f func(t *testing.T, gen wire.Generation)) {
	for _, g := range generations {
		t.Run(g.String(), func(t *testing.T) {
			t.Parallel()
			f(t, g)
		})
	}
}

// env is a daemon under test and the number of requests its clients
// wrote, so that tests can wait for the daemon to have handled them.
type env struct {
	t        testing.TB
	d        *mock.Daemon
	gen      wire.Generation
	requests atomic.Int64
}

func start(t testing.TB, gen wire.Generation, opts ...mock.Option) *env {
	t.Helper()
	opts = append([]mock.Option{mock.WithGeneration(gen)}, opts...)
	return &env{t: t, d: mock.Start(t, opts...), gen: gen}
}

// sync waits until the daemon has handled every request written so far.
func (e *env) sync() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), frameTimeout)
	defer cancel()
	if err := e.d.WaitRequests(ctx, int(e.requests.Load())); err != nil {
		e.t.Fatalf("WaitRequests(%d): %v (stats %+v)", e.requests.Load(), err, e.d.Stats())
	}
}

// client is a raw thin client: frames through package wire, nothing else.
type client struct {
	e    *env
	t    testing.TB
	conn net.Conn
	r    *wire.Reader
}

func (e *env) dial() *client {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), frameTimeout)
	defer cancel()
	conn, err := e.d.Dialer().Dial(ctx)
	if err != nil {
		e.t.Fatalf("dial %s: %v", e.d.Addr(), err)
	}
	e.t.Cleanup(func() { conn.Close() })
	return &client{e: e, t: e.t, conn: conn, r: wire.NewReader(conn, 0)}
}

// connect dials and reads the handshake frames; for v0.0.99 it also opens
// a session when token is not nil.
func (e *env) connect(token *wire.Token) *client {
	e.t.Helper()
	c := e.dial()
	c.handshake()
	if e.gen == wire.Generation99 && token != nil {
		c.writeToken(*token)
		if r := c.next(); r.SessionTokenReply == nil {
			c.t.Fatalf("want session_token_reply, got %s", describe(r))
		}
	}
	return c
}

// nextRaw reads one frame body; the deadline only turns a hang into a
// failure.
func (c *client) nextRaw() []byte {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(frameTimeout))
	b, err := c.r.ReadFrame()
	if err != nil {
		c.t.Fatalf("reading a frame: %v", err)
	}
	return bytes.Clone(b)
}

func (c *client) next() *wire.Response {
	c.t.Helper()
	var r wire.Response
	if err := wire.DecodeResponse(c.nextRaw(), &r); err != nil {
		c.t.Fatal(err)
	}
	if _, err := r.Event(); err != nil {
		c.t.Fatalf("response: %v", err)
	}
	return &r
}

// expectEOF asserts the daemon closed the connection.
func (c *client) expectEOF() {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(frameTimeout))
	b, err := c.r.ReadFrame()
	switch {
	case err == nil:
		var r wire.Response
		wire.DecodeResponse(b, &r)
		c.t.Fatalf("want EOF, got a frame: %s", describe(&r))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
	default:
		c.t.Fatalf("want EOF, got %v", err)
	}
}

func (c *client) write(frame []byte) {
	c.t.Helper()
	c.e.requests.Add(1)
	if _, err := c.conn.Write(frame); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// handshake reads the status and document frames.
func (c *client) handshake() (*wire.ConnectionStatusEvent, *pki.Document) {
	c.t.Helper()
	r := c.next()
	if r.ConnectionStatus == nil {
		c.t.Fatalf("first frame: want connection_status_event, got %s", describe(r))
	}
	r2 := c.next()
	if r2.NewPKIDocument == nil {
		c.t.Fatalf("second frame: want new_pki_document_event, got %s", describe(r2))
	}
	doc, err := pki.Parse(r2.NewPKIDocument.Payload)
	if err != nil {
		c.t.Fatalf("document: %v", err)
	}
	return r.ConnectionStatus, doc
}

func (c *client) writeToken(token wire.Token) {
	c.t.Helper()
	req := wire.Request99{SessionToken: &wire.SessionToken{ClientInstanceToken: &token}}
	c.write(req.AppendFrame(nil))
}

// dest is a send's destination.
type dest struct {
	hash  []byte
	queue []byte
}

// serviceDest finds a capability's destination in doc.
func serviceDest(t testing.TB, doc *pki.Document, capability string) dest {
	t.Helper()
	for _, n := range doc.ServiceNodes {
		if q, ok := n.Endpoint(capability); ok {
			h := n.IdentityHash()
			return dest{hash: h[:], queue: []byte(q)}
		}
	}
	t.Fatalf("no service node offers %q", capability)
	return dest{}
}

func (e *env) dest(capability string) dest {
	return serviceDest(e.t, e.d.Document(), capability)
}

// sendSURB writes a SURB send in the daemon's generation.
func (c *client) sendSURB(dst dest, payload []byte) wire.SURBID {
	c.t.Helper()
	surb := wire.NewSURBID()
	if c.e.gen == wire.Generation99 {
		req := wire.Request99{SendMessage: &wire.SendMessage{WithSURB: true, SURBID: &surb,
			DestinationIDHash: dst.hash, RecipientQueueID: dst.queue, Payload: payload}}
		c.write(req.AppendFrame(nil))
	} else {
		req := wire.Request{IsSendOp: true, WithSURB: true, SURBID: &surb,
			DestinationIDHash: dst.hash, RecipientQueueID: dst.queue, Payload: payload}
		c.write(req.AppendFrame(nil))
	}
	return surb
}

// sendNoReply writes a send without SURB; v0.0.47 with a random surbid,
// as docs/protocol.md 4 says a client must.
func (c *client) sendNoReply(dst dest, payload []byte) {
	c.t.Helper()
	if c.e.gen == wire.Generation99 {
		req := wire.Request99{SendMessage: &wire.SendMessage{DestinationIDHash: dst.hash,
			RecipientQueueID: dst.queue, Payload: payload}}
		c.write(req.AppendFrame(nil))
		return
	}
	surb := wire.NewSURBID()
	req := wire.Request{IsSendOp: true, SURBID: &surb, DestinationIDHash: dst.hash,
		RecipientQueueID: dst.queue, Payload: payload}
	c.write(req.AppendFrame(nil))
}

func (c *client) sendARQ(dst dest, payload []byte) wire.MessageID {
	c.t.Helper()
	id := wire.NewMessageID()
	req := wire.Request{IsARQSendOp: true, WithSURB: true, ID: &id, DestinationIDHash: dst.hash,
		RecipientQueueID: dst.queue, Payload: payload}
	c.write(req.AppendFrame(nil))
	return id
}

// expectSent reads a sent event for surb (SURB sends).
func (c *client) expectSent(surb wire.SURBID) *wire.MessageSentEvent {
	c.t.Helper()
	r := c.next()
	s := r.MessageSent
	if s == nil {
		c.t.Fatalf("want message_sent_event, got %s", describe(r))
	}
	if s.SURBID == nil || *s.SURBID != surb || s.MessageID != nil || s.Err != nil {
		c.t.Fatalf("sent event %+v, want surbid %s, no message id, no error", s, surb)
	}
	return s
}

// expectReply reads a successful reply for surb and checks it is payload
// zero-padded to size.
func (c *client) expectReply(surb wire.SURBID, payload []byte, size int) *wire.MessageReplyEvent {
	c.t.Helper()
	r := c.next()
	m := r.MessageReply
	if m == nil {
		c.t.Fatalf("want message_reply_event, got %s", describe(r))
	}
	if m.SURBID == nil || *m.SURBID != surb || m.MessageID != nil || m.Err != nil || m.ErrorCode != 0 {
		c.t.Fatalf("reply %+v, want surbid %s and success", m, surb)
	}
	checkPadded(c.t, m.Payload, payload, size)
	return m
}

// expectMarker makes the daemon send a status event to every client and
// reads it: whatever a request before it caused comes before it.
func (c *client) expectMarker(connected bool) {
	c.t.Helper()
	c.e.sync()
	c.e.d.SetConnected(connected)
	c.expectStatus(connected)
}

func (c *client) expectStatus(connected bool) *wire.ConnectionStatusEvent {
	c.t.Helper()
	r := c.next()
	if r.ConnectionStatus == nil || r.ConnectionStatus.IsConnected != connected {
		c.t.Fatalf("want connection_status_event is_connected %v, got %s", connected, describe(r))
	}
	return r.ConnectionStatus
}

func checkPadded(t testing.TB, got, want []byte, size int) {
	t.Helper()
	if len(got) != size {
		t.Fatalf("reply payload of %d bytes, want %d", len(got), size)
	}
	n := min(len(want), size)
	if !bytes.Equal(got[:n], want[:n]) {
		t.Fatalf("reply payload starts %q, want %q", got[:n], want[:n])
	}
	if !bytes.Equal(got[n:], make([]byte, size-n)) {
		t.Fatalf("reply payload not zero-padded after %d bytes", n)
	}
}

// describe names a response's event for failure messages (never its
// payload).
func describe(r *wire.Response) string {
	ev, err := r.Event()
	if err != nil {
		return err.Error()
	}
	switch ev := ev.(type) {
	case *wire.ConnectionStatusEvent:
		return "connection_status_event"
	case *wire.NewPKIDocumentEvent:
		return "new_pki_document_event"
	case *wire.MessageSentEvent:
		return "message_sent_event (surbid " + idString(ev.SURBID) + ")"
	case *wire.MessageReplyEvent:
		return "message_reply_event (surbid " + idString(ev.SURBID) + ")"
	case *wire.MessageIDGarbageCollected:
		return "message_id_garbage_collected"
	case *wire.ShutdownEvent:
		return "shutdown_event"
	case *wire.SessionTokenReply:
		return "session_token_reply"
	case *wire.GetPKIDocumentReply:
		return "get_pki_document_reply"
	default:
		return "unknown event"
	}
}

func idString(id *wire.SURBID) string {
	if id == nil {
		return "null"
	}
	return id.String()
}

// captured returns a frame body captured from a real daemon: gen is "47"
// or "99", name the file's name without ".cbor".
func captured(t testing.TB, gen, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "daemon-v0.0."+gen, name+".cbor"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ctxTimeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), frameTimeout)
	t.Cleanup(cancel)
	return ctx
}
