package mock

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/katzenthin/katzenthin/mock/internal/storage"
	"github.com/katzenthin/katzenthin/wire"
)

const (
	// readBufferSize is the bufio.Reader under each connection's frame
	// reader.
	readBufferSize = 32 << 10
	// maxKeptBuffer bounds the write buffer a connection keeps between
	// wakeups; a larger one is let go once a write uses less than a
	// quarter of it (the burst that grew it is over).
	maxKeptBuffer = 4 << 20
	// shutdownFlushTimeout bounds how long Close waits for a client to
	// take its last frames (the shutdown event) before closing anyway.
	shutdownFlushTimeout = time.Second
)

// endKind says why a connection ends, which decides what becomes of its
// application.
type endKind uint8

const (
	endLost      endKind = iota // socket lost (EOF, error, DropConnections): a v0.0.99 session stays resumable
	endThinClose                // the client said goodbye: state dropped
	endViolation                // the request would have crashed the daemon: state dropped
	endShutdown                 // Close: shutdown event first, state dropped
)

// conn is one client connection: a reader goroutine that decodes and
// handles requests, and a writer goroutine that drains the queue of
// encoded frames (out) with one write per wakeup.
type conn struct {
	d   *Daemon
	nc  net.Conn
	app atomic.Pointer[app] // the application this connection serves

	wmu sync.Mutex
	out []byte // encoded frames waiting for the writer
	pad []byte // scratch for padding a reply payload, under wmu
	ids struct {
		msgID  wire.MessageID
		surbID wire.SURBID
	} // scratch for the IDs of the event being encoded, under wmu
	ev struct {
		r     wire.Response
		sent  wire.MessageSentEvent
		reply wire.MessageReplyEvent
	} // scratch for the event being encoded, under wmu
	closed  bool // no more frames are taken
	kick    chan struct{}
	drained chan struct{}

	phSlots  chan struct{} // the 16 start_* slots (9.7), one token per start outstanding
	stop     chan struct{} // closed when the connection ends
	endOnce  sync.Once
	graceful bool // set before stop is closed: flush out, then close
}

func newConn(d *Daemon, nc net.Conn) *conn {
	return &conn{
		d:       d,
		nc:      nc,
		kick:    make(chan struct{}, 1),
		drained: make(chan struct{}, 1),
		phSlots: make(chan struct{}, storage.StartSlots),
		stop:    make(chan struct{}),
	}
}

// appID returns the ID of the connection's application.
func (c *conn) appID() wire.Token {
	if a := c.app.Load(); a != nil {
		return a.id
	}
	return wire.Token{}
}

// signal wakes the writer.
func (c *conn) signal() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// sendFrame queues an encoded frame; false when the connection is closed.
func (c *conn) sendFrame(frame []byte) bool {
	c.wmu.Lock()
	if c.closed {
		c.wmu.Unlock()
		return false
	}
	c.out = append(c.out, frame...)
	c.wmu.Unlock()
	c.signal()
	return true
}

// sendResponse encodes and queues r; false when the connection is closed.
func (c *conn) sendResponse(r *wire.Response) bool {
	c.wmu.Lock()
	if c.closed {
		c.wmu.Unlock()
		return false
	}
	c.out = r.AppendFrame(c.out, c.d.gen)
	c.wmu.Unlock()
	c.signal()
	return true
}

// sendEvent encodes and queues ev; false when the connection is closed.
func (c *conn) sendEvent(ev *event) bool {
	c.wmu.Lock()
	if c.closed {
		c.wmu.Unlock()
		return false
	}
	c.appendEventLocked(ev)
	if ev.kind == evReply {
		// Counted before the writer may send it: a client that has the
		// reply finds it in Stats.
		c.d.counters.sent.Add(1)
	}
	c.wmu.Unlock()
	c.signal()
	return true
}

// appendEventLocked encodes ev onto out, padding a reply's payload to the
// reply size in the connection's scratch buffer: no allocation. The IDs,
// the event and its response are built in scratch fields too: escape
// analysis sees Response.AppendFrame leak the response it encodes, and
// pointing into the connection (already on the heap) keeps ev on its
// caller's stack.
func (c *conn) appendEventLocked(ev *event) {
	var msgID *wire.MessageID
	if ev.hasMsgID {
		c.ids.msgID = ev.msgID
		msgID = &c.ids.msgID
	}
	var surbID *wire.SURBID
	if ev.hasSURB {
		c.ids.surbID = ev.surbID
		surbID = &c.ids.surbID
	}
	r := &c.ev.r
	*r = wire.Response{}
	switch ev.kind {
	case evSent:
		s := &c.ev.sent
		*s = wire.MessageSentEvent{MessageID: msgID, SURBID: surbID, SentAt: ev.sentAt, ReplyETA: ev.eta}
		if ev.failed {
			s.Err = errNotConnected
		}
		r.MessageSent = s
		c.out = r.AppendFrame(c.out, c.d.gen)
	case evReply:
		m := &c.ev.reply
		*m = wire.MessageReplyEvent{MessageID: msgID, SURBID: surbID, ErrorCode: ev.code}
		switch {
		case ev.failed:
			m.Err = errARQGaveUp
			m.Payload = []byte{} // empty, not null, as the v0.0.47 daemon sends it
		case ev.code != wire.ErrorCodeSuccess:
			// A refused v0.0.99 request: null payload (a guess).
		default:
			c.pad = padTo(c.pad, ev.payload, c.d.opts.replySize)
			m.Payload = c.pad
		}
		r.MessageReply = m
		c.out = r.AppendFrame(c.out, c.d.gen)
	case evGC:
		g := wire.MessageIDGarbageCollected{MessageID: msgID}
		r.MessageIDGarbageCollected = &g
		c.out = r.AppendFrame(c.out, c.d.gen)
	}
	*r = wire.Response{} // keep no pointers to the payload
}

// padTo returns p zero-padded (or truncated) to n bytes, in buf's memory.
func padTo(buf, p []byte, n int) []byte {
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	m := copy(buf, p)
	clear(buf[m:])
	return buf
}

// end ends the connection, once: it settles the application's fate (see
// endKind), stops taking frames and closes the socket, at once or (Close)
// after the writer has flushed the shutdown event. It is safe to call
// from any goroutine but must not be called with Daemon.mu held.
func (c *conn) end(kind endKind) {
	c.endOnce.Do(func() {
		d := c.d
		d.mu.Lock()
		delete(d.conns, c)
		if a := c.app.Load(); a != nil {
			d.detachLocked(a, c, kind)
		}
		d.mu.Unlock()
		d.counters.open.Add(-1)

		c.wmu.Lock()
		if kind == endShutdown {
			r := wire.Response{Shutdown: &wire.ShutdownEvent{}}
			c.out = r.AppendFrame(c.out, d.gen)
		}
		c.closed = true
		c.wmu.Unlock()

		c.graceful = kind == endShutdown
		if c.graceful {
			// Unblocks a writer stuck on a client that does not read.
			c.nc.SetWriteDeadline(time.Now().Add(shutdownFlushTimeout))
		}
		close(c.stop)
		if !c.graceful {
			c.nc.Close()
		}
		d.log.Info("mock: connection closed", "app", c.appID().String(), "reason", kind.String())
	})
}

func (k endKind) String() string {
	switch k {
	case endLost:
		return "lost"
	case endThinClose:
		return "thin close"
	case endViolation:
		return "violation"
	case endShutdown:
		return "shutdown"
	default:
		return fmt.Sprintf("endKind(%d)", k)
	}
}
