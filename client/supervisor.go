package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/katzenthin/katzenthin/transport"
	"golang.org/x/sync/errgroup"
)

// goodbyeTimeout bounds how long Close waits for its thin-close frame to
// be written before it closes the socket anyway.
const goodbyeTimeout = time.Second

// run is the supervisor: it serves a connection until it ends, settles the
// calls it leaves behind, and reconnects (with backoff) unless the policy
// or Close says otherwise.
func (c *Client) supervise(s *connection) {
	defer close(c.loopDone)
	for {
		err := c.serve(s)
		c.lose(s, err)
		if c.closed.Load() {
			c.failAll(ErrClosed)
			return
		}
		if c.o.reconnect.Disabled {
			c.giveUp(err, nil)
			return
		}
		next, attempt, rerr := c.reconnect()
		if rerr != nil {
			if c.closed.Load() {
				c.failAll(ErrClosed)
			} else {
				c.giveUp(err, rerr)
			}
			return
		}
		if !c.installWithCancels(next) {
			// Close came while the handshake ran: say goodbye on the
			// connection nobody will use.
			next.nc.SetWriteDeadline(time.Now().Add(goodbyeTimeout))
			next.nc.Write(next.d.appendClose(nil))
			next.nc.Close()
			c.failAll(ErrClosed)
			return
		}
		c.reconnects.Add(1)
		c.decideSuspended(next.resumed)
		c.subs.publish(&Reconnected{Attempt: attempt, Resumed: next.resumed})
		c.traceReconnected(attempt, next.resumed)
		s = next
	}
}

// serve runs the connection's reader and writer until either ends, then
// makes sure both have: when serve returns, nothing reads or writes the
// connection any more.
func (c *Client) serve(s *connection) error {
	g, ctx := errgroup.WithContext(c.runCtx)
	// A failed write, or Close, ends the reader by closing the socket.
	stop := context.AfterFunc(ctx, func() { s.nc.Close() })
	defer stop()
	g.Go(func() error { return c.readLoop(s) })
	g.Go(func() error { return s.w.writeLoop(ctx) })
	err := g.Wait()
	s.nc.Close()
	return err
}

// reconnect dials until a handshake succeeds, waiting with backoff
// between attempts. The redials' errors go to the log and to the calls
// that wait for a connection (ErrDaemonUnavailable); the calls the lost
// connection left behind keep what ended it (lose).
func (c *Client) reconnect() (*connection, int, error) {
	p := c.o.reconnect
	var last error
	for attempt := 1; ; attempt++ {
		if p.MaxAttempts > 0 && attempt > p.MaxAttempts {
			return nil, attempt, last
		}
		t := time.NewTimer(p.backoff(attempt))
		select {
		case <-c.runCtx.Done():
			t.Stop()
			return nil, attempt, ErrClosed
		case <-t.C:
		}
		s, err := c.connect(c.runCtx)
		if err == nil {
			return s, attempt, nil
		}
		last = err
		c.lastErr.Store(&err)
		if errors.Is(err, transport.ErrDaemonNotRunning) {
			// Nothing listens: the daemon process that held the session
			// is gone, and its state with it. Nothing will resume.
			c.decideSuspended(false)
		}
		c.log.Info("reconnecting to the daemon failed", "attempt", attempt, "err", err)
	}
}

// install makes s the current connection and wakes waiting callers,
// unless the client was closed meanwhile.
func (c *Client) install(s *connection) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed.Load() {
		return false
	}
	info := s.info
	c.info.Store(&info)
	old := c.conn.Swap(&connState{cur: s, up: make(chan struct{})})
	close(old.up)
	return true
}

// lose marks the connection down and settles the calls it leaves behind
// (the loss table in DESIGN.md): an attempt never written is made again;
// a no-reply send that may have been written ends with ErrConnectionLost;
// on a connection whose session may resume (v0.0.99) the other calls
// that may have been written wait for the next handshake's verdict, and
// everywhere else they meet it now. Their error names cause, what ended
// the connection.
func (c *Client) lose(s *connection, cause error) {
	c.mu.Lock()
	c.conn.Store(&connState{up: make(chan struct{})})
	c.mu.Unlock()
	c.online.Store(false)
	close(s.dead)
	err := lost(cause)
	c.lastErr.Store(&err)
	resumable := s.d.resumes()
	c.fut.sweep(func(_ futureKey, cl *call) bool {
		cl.mu.Lock()
		defer cl.mu.Unlock()
		if cl.att.conn != s {
			return true
		}
		switch cl.state {
		case stQueued:
			cl.retryLocked()
		case stWritten:
			switch {
			case cl.kind == kindNoReply:
				cl.finishLocked(err)
			case resumable:
				cl.suspended, cl.lostErr = true, err
			default:
				notResumedLocked(cl, err)
			}
		}
		return true
	})
	if c.closed.Load() {
		return
	}
	c.log.Warn("connection to the daemon lost", "err", cause)
	c.subs.publish(&ConnectionLost{Err: err, Final: c.o.reconnect.Disabled})
	c.traceLost(err)
}

// decideSuspended applies the handshake's verdict to the calls a lost
// v0.0.99 connection left suspended (the resume table in DESIGN.md).
// resumed false is also the verdict of a redial that found no daemon:
// its process, and the session with it, are gone.
func (c *Client) decideSuspended(resumed bool) {
	next := c.conn.Load().cur
	c.fut.sweep(func(_ futureKey, cl *call) bool {
		cl.mu.Lock()
		defer cl.mu.Unlock()
		if !cl.suspended {
			return true
		}
		cl.suspended = false
		err := cl.lostErr
		cl.lostErr = nil
		switch {
		case cl.state != stWritten:
			// Done, or moved on by its caller meanwhile (a reliable
			// send's horizon): the verdict is moot.
		case !resumed:
			notResumedLocked(cl, err)
		case cl.kind == kindQuery:
			// The daemon keeps no query reply for a session that is away:
			// ask again, with the same query ID.
			cl.retryLocked()
		case cl.att.sent:
			// The daemon has it and will deliver its reply to the resumed
			// session: wait on, now on the new connection.
			cl.att.conn = next
		case cl.kind == kindReliable:
			// Maybe in the daemon's queue, maybe not: transmit again.
			cl.newTx = true
			cl.retryLocked()
		default:
			cl.finishLocked(err)
		}
		return true
	})
}

// notResumedLocked settles a call that may have been written in a daemon
// session that is gone: a reliable send or a query is sent again, any
// other call's outcome is unknown.
func notResumedLocked(cl *call, err error) {
	switch cl.kind {
	case kindReliable:
		cl.newTx = true
		cl.retryLocked()
	case kindQuery:
		cl.retryLocked()
	default:
		cl.finishLocked(err)
	}
}

// giveUp ends the client's connection for good: every pending and future
// call gets ErrConnectionLost. The pending calls' error names cause, what
// ended the connection; later calls' names redialErr too, when the
// reconnection policy gave up.
func (c *Client) giveUp(cause, redialErr error) {
	err := lost(cause)
	final := err
	if redialErr != nil {
		final = fmt.Errorf("%w (reconnecting: %w)", err, redialErr)
	}
	c.mu.Lock()
	old := c.conn.Swap(&connState{up: make(chan struct{}), err: final})
	c.mu.Unlock()
	close(old.up)
	c.failAll(err)
}

// wakeWaiters makes callers waiting for a connection look again (Close).
func (c *Client) wakeWaiters() {
	c.mu.Lock()
	old := c.conn.Swap(&connState{up: make(chan struct{}), err: ErrClosed})
	c.mu.Unlock()
	close(old.up)
}

// failAll ends every pending call with err.
func (c *Client) failAll(err error) {
	c.fut.sweep(func(_ futureKey, cl *call) bool {
		cl.mu.Lock()
		cl.finishLocked(err)
		cl.mu.Unlock()
		return true
	})
}

// goodbyeOn writes the thin-close frame on s, waiting at most
// goodbyeTimeout for it.
func (c *Client) goodbyeOn(s *connection) {
	written, ok := s.w.enqueueControl(s.d.appendClose(nil))
	if !ok {
		return
	}
	t := time.NewTimer(goodbyeTimeout)
	defer t.Stop()
	select {
	case <-written:
	case <-s.dead:
	case <-t.C:
	}
}
