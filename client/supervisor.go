package client

import (
	"context"
	"time"

	"golang.org/x/sync/errgroup"
)

// goodbyeTimeout bounds how long Close waits for its thin-close frame to
// be written before it closes the socket anyway.
const goodbyeTimeout = time.Second

// run is the supervisor: it serves a connection until it ends, settles the
// calls it leaves behind, and reconnects (with backoff) unless the policy
// or Close says otherwise.
func (c *Client) run(s *session) {
	defer close(c.loopDone)
	for {
		err := c.serve(s)
		c.dropSession(s, err)
		if c.closed.Load() {
			c.failAll(ErrClosed)
			return
		}
		if c.o.reconnect.Disabled {
			c.giveUp(err)
			return
		}
		c.settle(s.d.resumes(), err)
		next, attempt, rerr := c.reconnect()
		if rerr != nil {
			if c.closed.Load() {
				c.failAll(ErrClosed)
			} else {
				c.giveUp(rerr)
			}
			return
		}
		if !next.info.Resumed {
			// Calls kept for a resume that did not happen end now.
			c.settle(false, err)
		}
		c.reconnects.Add(1)
		c.setSession(next)
		c.subs.publish(&Reconnected{Attempt: attempt, Resumed: next.info.Resumed})
		c.traceReconnected(attempt, next.info.Resumed) // tracer hook
		s = next
	}
}

// serve runs the connection's reader and writer until either ends, then
// makes sure both have.
func (c *Client) serve(s *session) error {
	g, ctx := errgroup.WithContext(c.runCtx)
	// A failed write, or Close, ends the reader by closing the socket.
	stop := context.AfterFunc(ctx, func() { s.conn.Close() })
	defer stop()
	g.Go(func() error { return c.readLoop(s) })
	g.Go(func() error { return s.w.writeLoop(ctx) })
	err := g.Wait()
	s.conn.Close()
	return err
}

// reconnect dials until a handshake succeeds, waiting with backoff
// between attempts.
func (c *Client) reconnect() (*session, int, error) {
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
		c.log.Info("reconnecting to the daemon failed", "attempt", attempt, "err", err)
	}
}

// setSession makes s the current connection and wakes waiting callers.
func (c *Client) setSession(s *session) {
	info := s.info
	c.info.Store(&info)
	old := c.conn.Swap(&connState{sess: s, up: make(chan struct{})})
	close(old.up)
}

// dropSession marks the connection down and tells subscribers.
func (c *Client) dropSession(s *session, err error) {
	// The state goes first: a caller that then sees the daemon offline
	// also sees that its connection is gone (see session).
	c.conn.Store(&connState{up: make(chan struct{})})
	c.online.Store(false)
	close(s.dead)
	if c.closed.Load() {
		return
	}
	c.log.Warn("connection to the daemon lost", "err", err)
	c.subs.publish(&ConnectionLost{Err: lost(err), Final: c.o.reconnect.Disabled})
	c.traceLost(err) // tracer hook
}

// giveUp ends the client's connection for good: every pending and future
// call gets ErrConnectionLost.
func (c *Client) giveUp(cause error) {
	err := lost(cause)
	old := c.conn.Swap(&connState{up: make(chan struct{}), err: err})
	close(old.up)
	c.failAll(err)
}

// wakeWaiters makes callers waiting for a connection look again (Close).
func (c *Client) wakeWaiters() {
	old := c.conn.Swap(&connState{up: make(chan struct{}), err: ErrClosed})
	close(old.up)
}

// settle decides the fate of the calls a lost connection leaves behind:
// a frame that was never written is sent again on the next connection; a
// reliable send is re-sent with its message ID; a SURB send's SURB died
// with the daemon's state, so it ends with ErrConnectionLost, unless
// keep says the daemon may resume the session (v0.0.99), whose handshake
// then delivers the replies that came meanwhile.
func (c *Client) settle(keep bool, cause error) {
	err := lost(cause)
	told := make(map[chan result]bool)
	c.fut.sweep(func(_ futureKey, cl *call) bool {
		switch {
		case cl.abandon():
			c.tell(told, cl, result{kind: resultResend})
		case keep:
			return true
		case cl.kind == kindReliable:
			c.tell(told, cl, result{kind: resultResend})
		default:
			c.tell(told, cl, result{err: err})
		}
		return false
	})
}

// tell delivers r once per waiting caller: a reliable send may wait
// under several IDs, all answering on one channel.
func (c *Client) tell(told map[chan result]bool, cl *call, r result) {
	if !told[cl.done] {
		told[cl.done] = true
		cl.deliver(r)
	}
}

// failAll ends every pending call with err.
func (c *Client) failAll(err error) {
	told := make(map[chan result]bool)
	c.fut.sweep(func(_ futureKey, cl *call) bool {
		cl.abandon()
		c.tell(told, cl, result{err: err})
		return false
	})
}

// sayGoodbye writes the thin-close frame, waiting at most goodbyeTimeout.
func (c *Client) sayGoodbye(s *session) {
	cl := newCall(kindControl)
	cl.setFrame(s.d.appendClose(cl.frameBuf()))
	if !s.w.enqueue(cl) {
		return
	}
	t := time.NewTimer(goodbyeTimeout)
	defer t.Stop()
	select {
	case <-cl.done:
	case <-s.dead:
	case <-t.C:
	}
}
