package client_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// fakeDaemon is a scripted daemon built on wire alone, independent of
// package mock: each accepted connection runs the test's handler. It
// serves the tests that need exact control of the frames (hostile
// daemons, replays of captured sessions).
type fakeDaemon struct {
	t    testing.TB
	l    net.Listener
	addr string
	wg   sync.WaitGroup

	mu    sync.Mutex
	conns []net.Conn
}

// startFake listens on a fresh abstract socket and runs handle for every
// connection until the test ends.
func startFake(t testing.TB, handle func(*fakeConn)) *fakeDaemon {
	t.Helper()
	var b [8]byte
	rand.Read(b[:])
	addr := "@katzenthin-fake-" + hex.EncodeToString(b[:])
	l, err := net.Listen("unix", addr)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeDaemon{t: t, l: l, addr: addr}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.conns = append(f.conns, conn)
			f.mu.Unlock()
			f.wg.Add(1)
			go func() {
				defer f.wg.Done()
				defer conn.Close()
				br := bufio.NewReader(conn)
				handle(&fakeConn{Conn: conn, br: br, r: wire.NewReader(br, 0), gen: wire.Generation47})
			}()
		}
	}()
	t.Cleanup(f.close)
	return f
}

func (f *fakeDaemon) close() {
	f.l.Close()
	f.mu.Lock()
	for _, c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

func (f *fakeDaemon) dialer() transport.Dialer { return transport.Unix(f.addr) }

// dial connects a client to the fake with fail-fast defaults for tests.
func (f *fakeDaemon) dial(t testing.TB, opts ...client.Option) (*client.Client, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts = append([]client.Option{client.WithDialer(f.dialer()), client.WithReconnect(client.NoReconnect)}, opts...)
	return client.Dial(ctx, opts...)
}

func (f *fakeDaemon) mustDial(t testing.TB, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := f.dial(t, opts...)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// fakeConn is one connection of the fake daemon.
type fakeConn struct {
	net.Conn
	br  *bufio.Reader
	r   *wire.Reader
	gen wire.Generation
	wmu sync.Mutex
}

func (c *fakeConn) send(r *wire.Response) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.Write(r.AppendFrame(nil, c.gen))
	return err
}

func (c *fakeConn) sendRaw(body []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.Write(wire.AppendFrame(nil, body))
	return err
}

// greet sends the v0.0.47 handshake: status, then the captured document.
func (c *fakeConn) greet(t testing.TB) {
	c.sendRaw(captured(t, "47", "01-connection_status_event"))
	c.sendRaw(captured(t, "47", "02-new_pki_document_event"))
}

func (c *fakeConn) readRequest() (*wire.Request, error) {
	body, err := c.r.ReadFrame()
	if err != nil {
		return nil, err
	}
	var r wire.Request
	if err := wire.DecodeRequest(body, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// readBatch reads one request, then every further one that has already
// arrived: under concurrent callers, a batch of requests in flight.
func (c *fakeConn) readBatch() ([]*wire.Request, error) {
	req, err := c.readRequest()
	if err != nil {
		return nil, err
	}
	batch := []*wire.Request{req}
	for c.br.Buffered() > 0 {
		req, err := c.readRequest()
		if err != nil {
			return batch, err
		}
		batch = append(batch, req)
	}
	return batch, nil
}

// echoLoop answers every SURB send with a sent event and a padded echo,
// every ARQ send likewise, until the connection ends. Requests go to seen.
func (c *fakeConn) echoLoop(seen chan<- *wire.Request) {
	for {
		req, err := c.readRequest()
		if err != nil {
			return
		}
		if seen != nil {
			seen <- req
		}
		if req.IsThinClose {
			return
		}
		c.answer(req)
	}
}

func (c *fakeConn) answer(req *wire.Request) {
	switch {
	case req.IsSendOp && req.WithSURB:
		c.send(&wire.Response{MessageSent: &wire.MessageSentEvent{SURBID: req.SURBID, SentAt: time.Now(), ReplyETA: time.Second}})
		c.send(&wire.Response{MessageReply: &wire.MessageReplyEvent{SURBID: req.SURBID, Payload: pad(req.Payload)}})
	case req.IsARQSendOp:
		surb := wire.NewSURBID()
		c.send(&wire.Response{MessageSent: &wire.MessageSentEvent{MessageID: req.ID, SURBID: &surb, SentAt: time.Now(), ReplyETA: time.Second}})
		c.send(&wire.Response{MessageReply: &wire.MessageReplyEvent{MessageID: req.ID, SURBID: &surb, Payload: pad(req.Payload)}})
	}
}

// replySize is what the real echo pads replies to.
const replySize = 2574

func pad(p []byte) []byte {
	out := make([]byte, replySize)
	copy(out, p)
	return out
}

// captured returns a frame body captured from a real daemon.
func captured(t testing.TB, gen, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "daemon-v0.0."+gen, name+".cbor"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// within bounds a wait that should end at once; it fails the test rather
// than hang, and is never used to let time pass.
func within(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}
