package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

// register files cl under a fresh random ID. A random ID that is taken is
// drawn again, so IDs never collide.
func (c *Client) register(cl *call) error {
	for {
		cl.id = newID()
		if c.fut.add(cl.id, cl) {
			break
		}
	}
	// Close fails the calls it finds; one registered after it looked
	// must see that the client is closed.
	if c.closed.Load() {
		c.fut.forget(cl.id, cl)
		return ErrClosed
	}
	return nil
}

// unregister removes every key of cl from the futures map. After it, no
// reader or sweep can reach cl.
func (c *Client) unregister(cl *call) {
	c.fut.forget(cl.id, cl)
	for _, k := range cl.txIDs {
		c.fut.forget(k, cl)
	}
}

// newID draws a random request ID from crypto/rand; a variable so that
// tests can force collisions.
var newID = func() futureKey { return futureKey(wire.NewSURBID()) }

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
	for {
		if !c.startAttempt(ctx, cl) {
			return
		}
		if cl.notify {
			// Until the transmission's sent event tells the horizon, wait
			// at most the fallback (a daemon may lose the event).
			if horizon == nil {
				horizon = time.NewTimer(c.sentFallback())
			} else {
				horizon.Reset(c.sentFallback())
			}
			horizonC = horizon.C
		}
		for waiting := true; waiting; {
			select {
			case <-cl.wake:
			case <-horizonC:
				horizonC = nil
				if !c.horizonPassed(cl) {
					// Not even written yet (a slow writer): wait again.
					horizon.Reset(c.sentFallback())
					horizonC = horizon.C
				}
			case <-ctx.Done():
				c.abandon(ctx, cl)
				return
			}
			cl.mu.Lock()
			st, sentAt, eta := cl.state, cl.sentSeen, cl.eta
			cl.mu.Unlock()
			switch st {
			case stDone:
				return
			case stRetry:
				waiting = false
			case stSent:
				if cl.notify {
					// Client-side retransmission: the reply horizon of this
					// transmission is known now.
					d := time.Until(c.replyHorizon(sentAt, eta))
					if horizon == nil {
						horizon = time.NewTimer(d)
					} else {
						horizon.Reset(d)
					}
					horizonC = horizon.C
				}
			}
		}
	}
}

// startAttempt prepares the call's next attempt and queues it on the live
// connection, waiting within ctx for one. It returns false when the call
// is done (its error set) instead.
func (c *Client) startAttempt(ctx context.Context, cl *call) bool {
	for {
		s, err := c.session(ctx, cl.kind != kindQuery)
		if err != nil {
			c.end(cl, err)
			return false
		}
		frame, key, err := c.encode(s, cl)
		if err != nil {
			c.end(cl, err)
			return false
		}
		cl.mu.Lock()
		if cl.state == stDone { // a result or Close ended it meanwhile
			cl.dropFrameLocked()
			cl.mu.Unlock()
			return false
		}
		cl.attempt++
		attempt := cl.attempt
		cl.sess, cl.state, cl.frame, cl.cur = s, stQueued, frame, key
		cl.notify = cl.kind == kindReliable && !s.d.daemonRetransmits()
		cl.mu.Unlock()

		err = s.w.enqueue(ctx, cl, attempt, len(frame), cl.solo)
		if err == nil {
			if c.o.tracer != nil { // tracer hook
				traceAttempt(ctx)
			}
			return true
		}
		cl.mu.Lock()
		if cl.state == stQueued && cl.attempt == attempt {
			cl.state = stReady
			cl.dropFrameLocked()
		}
		done := cl.state == stDone
		cl.mu.Unlock()
		switch {
		case done:
			return false
		case errors.Is(err, errWriterStopped):
			// The connection died before the frame was queued: wait for
			// its end to be settled, then look for the next one.
			select {
			case <-s.dead:
			case <-ctx.Done():
				c.abandon(ctx, cl)
				return false
			}
		default: // ctx ended while the queue was full
			c.abandon(ctx, cl)
			return false
		}
	}
}

// encode returns the frame of the call's next attempt on s, and the key
// whose sent event belongs to that attempt. Only the caller calls it,
// while it owns the call (stReady or stRetry).
func (c *Client) encode(s *session, cl *call) ([]byte, futureKey, error) {
	switch cl.kind {
	case kindQuery:
		if !s.d.hasQueries() {
			return nil, cl.id, fmt.Errorf("%w: a %s daemon has no %s", ErrUnsupported, s.d.generation(), cl.query.name)
		}
		return cl.query.req.AppendFrame(cl.frameBuf()), cl.id, nil
	case kindReliable:
		if !s.d.daemonRetransmits() {
			if cl.newTx || len(cl.txIDs) == 0 {
				// A new transmission: a fresh SURB, its own ID.
				var k futureKey
				for {
					k = newID()
					if c.fut.add(k, cl) {
						break
					}
				}
				cl.txIDs = append(cl.txIDs, k)
				cl.newTx = false
			}
			k := cl.txIDs[len(cl.txIDs)-1]
			op := sendOp{kind: kindSURB, id: k, dst: cl.dst, payload: cl.payload}
			return s.d.appendSend(cl.frameBuf(), op), k, nil
		}
	}
	op := sendOp{kind: cl.kind, id: cl.id, dst: cl.dst, payload: cl.payload}
	return s.d.appendSend(cl.frameBuf(), op), cl.id, nil
}

// end finishes cl with err, unless a result came first.
func (c *Client) end(cl *call, err error) {
	cl.mu.Lock()
	cl.finishLocked(err)
	cl.mu.Unlock()
}

// abandon ends cl because ctx ended. A frame still queued is taken back,
// so it is never written; for a frame being written, abandon waits until
// that write has returned (microseconds, unless the daemon stopped
// reading: then at most the write timeout, after which the connection
// ends), so that the call never returns before its bytes have gone. A
// result that came first stands.
func (c *Client) abandon(ctx context.Context, cl *call) {
	cl.mu.Lock()
	if cl.state == stWriting {
		w, r := cl.writer, cl.round
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
	case stSent, stWritten:
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
// reply ETA eta (PROTOCOL.md 8): sent_at + ETA + (2 x layers + 3) x 500 ms,
// or the WithRetransmission slop instead of the last term. The caller
// passes the time the sent event came, never earlier than the daemon's
// own sent_at, so the retransmission never comes before the horizon.
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
	if c.conn.Load().sess == nil && !c.closed.Load() {
		return c.unavailable(ctx.Err())
	}
	return ctx.Err()
}

// session returns the live connection, waiting within ctx while the
// client reconnects (or failing at once without WithWaitForReady).
// needOnline refuses with ErrOffline while the daemon has no mixnet link.
func (c *Client) session(ctx context.Context, needOnline bool) (*session, error) {
	for {
		st := c.conn.Load()
		switch {
		case c.closed.Load():
			return nil, ErrClosed
		case st.err != nil:
			return nil, st.err
		case st.sess != nil:
			if needOnline && !c.online.Load() {
				if c.conn.Load() != st {
					continue // the connection just went down: wait for the next
				}
				return nil, ErrOffline
			}
			return st.sess, nil
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
