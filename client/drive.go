package client

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// drive runs cl through as many attempts and connections as it takes and
// returns when cl is done. It is the caller's side of the state machine
// (DESIGN.md): it starts attempts, waits, and gives up when ctx ends.
func (c *Client) drive(ctx context.Context, cl *call) {
	var horizon *time.Timer
	var horizonC <-chan time.Time
	defer func() {
		if horizon != nil {
			horizon.Stop()
		}
	}()
	arm := func(d time.Duration) {
		if horizon == nil {
			horizon = time.NewTimer(d)
		} else {
			horizon.Reset(d)
		}
		horizonC = horizon.C
	}
	for {
		notify, ok := c.startAttempt(ctx, cl)
		if !ok {
			return
		}
		if notify {
			// Until the transmission's sent event tells the horizon, wait
			// at most the fallback (a daemon may lose the event).
			arm(c.sentFallback())
		}
		for waiting := true; waiting; {
			select {
			case <-cl.wake:
			case <-horizonC:
				horizonC = nil
				if !c.horizonPassed(cl) {
					// Not even written yet (a slow writer): wait again.
					arm(c.sentFallback())
				}
			case <-ctx.Done():
				c.abandon(ctx, cl)
				return
			}
			cl.mu.Lock()
			st, att, eta := cl.state, cl.att, cl.reply.ETA
			cl.mu.Unlock()
			switch {
			case st == stDone:
				return
			case st == stIdle:
				waiting = false
			case att.notify && att.sent:
				// Client-side retransmission: the reply horizon of this
				// transmission is known now.
				arm(time.Until(c.replyHorizon(att.sentSeen, eta)))
			}
		}
	}
}

// startAttempt starts the call's next attempt on the live connection,
// waiting within ctx for one. It returns false when the call is done
// (its error set) instead, and whether the caller is woken by the
// attempt's sent event (a v0.0.99 reliable send).
func (c *Client) startAttempt(ctx context.Context, cl *call) (notify, ok bool) {
	for {
		s, err := c.connection(ctx, cl.kind != kindQuery)
		if err != nil {
			c.end(cl, err)
			return false, false
		}
		if cl.kind == kindQuery && !s.d.hasQueries() {
			c.end(cl, fmt.Errorf("%w: a %s daemon has no %s", ErrUnsupported, s.d.generation(), cl.query.name))
			return false, false
		}
		notify = cl.kind == kindReliable && !s.d.daemonRetransmits()
		key := cl.id
		if notify {
			key = c.transmission(cl)
		}
		cl.mu.Lock()
		if cl.state == stDone { // a result or Close ended it meanwhile
			cl.mu.Unlock()
			return false, false
		}
		cl.att = attempt{n: cl.att.n + 1, conn: s, key: key, notify: notify}
		cl.state = stQueued
		n := cl.att.n
		cl.mu.Unlock()

		err = s.w.enqueue(ctx, cl, n, cl.size())
		if err == nil {
			cl.attempts++
			return notify, true
		}
		cl.mu.Lock()
		if cl.state == stQueued && cl.att.n == n {
			cl.state = stIdle
		}
		done := cl.state == stDone
		cl.mu.Unlock()
		switch {
		case done:
			return false, false
		case errors.Is(err, errWriterStopped):
			// The connection died before the attempt was queued: wait for
			// its end to be settled, then look for the next one.
			select {
			case <-s.dead:
			case <-ctx.Done():
				c.abandon(ctx, cl)
				return false, false
			}
		default: // ctx ended while the queue was full
			c.abandon(ctx, cl)
			return false, false
		}
	}
}

// transmission returns the SURB ID of a v0.0.99 reliable send's current
// transmission, registering a new one when the call needs it: every
// transmission has a SURB, and an ID, of its own. Only the caller calls
// it, in stIdle.
func (c *Client) transmission(cl *call) futureKey {
	cl.mu.Lock()
	fresh := cl.newTx || len(cl.txIDs) == 0
	cl.newTx = false
	cl.mu.Unlock()
	if fresh {
		var k futureKey
		for {
			k = newID()
			if c.fut.add(k, cl) {
				break
			}
		}
		cl.txIDs = append(cl.txIDs, k) // only the caller touches txIDs
	}
	return cl.txIDs[len(cl.txIDs)-1]
}

// end finishes cl with err, unless a result came first.
func (c *Client) end(cl *call, err error) {
	cl.mu.Lock()
	cl.finishLocked(err)
	cl.mu.Unlock()
}

// abandon ends cl because ctx ended. A queued attempt is left for the
// writer to skip, so it is never written; for an attempt being written,
// abandon waits until that write's round has ended (microseconds, unless
// the daemon stopped reading: then at most the write timeout, after
// which the connection ends), so that the call never returns before its
// bytes have gone. A result that came first stands.
func (c *Client) abandon(ctx context.Context, cl *call) {
	cl.mu.Lock()
	if cl.state == stWriting {
		w, r := cl.att.conn.w, cl.att.round
		cl.mu.Unlock()
		w.rounds.wait(r)
		cl.mu.Lock()
	}
	cl.finishLocked(c.ctxError(ctx))
	cl.mu.Unlock()
}

// horizonPassed retransmits a v0.0.99 reliable send whose transmission
// is past the daemon's reply horizon: its SURB is forgotten, a reply can
// no longer come through it. It reports false when the transmission has
// not been written yet, so that the caller waits again.
func (c *Client) horizonPassed(cl *call) bool {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	switch cl.state {
	case stQueued, stWriting:
		return false
	case stWritten:
	default:
		return true // done, or already on its way to another attempt
	}
	if cl.timedTx >= c.o.maxRetransmissions {
		cl.finishLocked(fmt.Errorf("%w: no reply after %d transmissions", ErrRetransmissionsExhausted, cl.timedTx+1))
		return true
	}
	cl.timedTx++
	cl.newTx = true
	cl.retryLocked()
	return true
}

// replyHorizon is when the daemon forgets a SURB sent at sentAt with
// reply ETA eta (docs/protocol.md 8): sent_at + ETA + (2 x layers + 3) x
// 500 ms, or the WithRetransmission slop instead of the last term. The
// caller passes the time the sent event came, never earlier than the
// daemon's own sent_at, so the retransmission never comes before the
// horizon.
func (c *Client) replyHorizon(sentAt time.Time, eta time.Duration) time.Time {
	if sentAt.IsZero() {
		sentAt = time.Now()
	}
	slop := c.o.retransmitSlop
	if slop == 0 {
		layers := 0
		if doc := c.Document(); doc != nil {
			layers = len(doc.Topology)
		}
		slop = time.Duration(2*layers+3) * horizonStep
	}
	return sentAt.Add(eta + slop)
}

// horizonStep is the daemon's per-hop allowance in its reply horizon.
const horizonStep = 500 * time.Millisecond

// sentFallback bounds the wait for a transmission's sent event: the
// WithRetransmission slop when one is set, else DefaultSentEventWait. A
// real daemon sends the event when the packet leaves, which may take a
// while behind a burst; one that never comes must not hang the call.
func (c *Client) sentFallback() time.Duration {
	if c.o.retransmitSlop > 0 {
		return c.o.retransmitSlop
	}
	return DefaultSentEventWait
}

// ctxError is the error of a call whose ctx ended: ctx's error, which
// also matches ErrDaemonUnavailable when no daemon connection exists.
func (c *Client) ctxError(ctx context.Context) error {
	if c.conn.Load().cur == nil && !c.closed.Load() {
		return c.unavailable(ctx.Err())
	}
	return ctx.Err()
}

// connection returns the live connection, waiting within ctx while the
// client reconnects (or failing at once without WithWaitForReady).
// needOnline refuses with ErrOffline while the daemon has no mixnet link.
func (c *Client) connection(ctx context.Context, needOnline bool) (*connection, error) {
	for {
		st := c.conn.Load()
		switch {
		case c.closed.Load():
			return nil, ErrClosed
		case st.err != nil:
			return nil, st.err
		case st.cur != nil:
			if needOnline && !c.online.Load() {
				if c.conn.Load() != st {
					continue // the connection just went down: wait for the next
				}
				return nil, ErrOffline
			}
			return st.cur, nil
		case !c.o.waitForReady:
			return nil, c.unavailable(nil)
		}
		select {
		case <-st.up:
		case <-ctx.Done():
			return nil, c.unavailable(ctx.Err())
		}
	}
}
