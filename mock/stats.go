package mock

import (
	"context"
	"sync"
	"sync/atomic"
)

// Stats counts what a daemon has seen since New. It is a snapshot: the
// fields are read one by one while the daemon runs, so counters may be
// a request apart from each other. A Stats is a plain value, safe to copy
// and use from any goroutine.
type Stats struct {
	// Requests counts every request frame received, of any kind, the
	// ones that broke a rule included. It is what WaitRequests waits for.
	Requests int64
	// SURBSends counts sends with a SURB (v0.0.47 is_send_op with
	// with_surb; v0.0.99 send_message with with_surb).
	SURBSends int64
	// ARQSends counts v0.0.47 ARQ sends (not their retransmissions).
	ARQSends int64
	// NoReplySends counts sends without a SURB.
	NoReplySends int64
	// Decoys counts v0.0.47 loop and drop decoy requests.
	Decoys int64
	// ThinCloses counts thin close requests.
	ThinCloses int64
	// SessionTokens counts v0.0.99 session_token requests.
	SessionTokens int64
	// DocumentQueries counts v0.0.99 get_pki_document requests.
	DocumentQueries int64
	// Ignored counts v0.0.99 requests with no operation the daemon knows,
	// v0.0.47-style flat requests among them: the daemon drops them
	// without a reply and without closing the connection.
	Ignored int64
	// Refused counts sends the daemon answered with an error: a sent
	// event with err while offline, or a v0.0.99 error code.
	Refused int64
	// Unroutable counts sends to a destination no service serves; their
	// packets are lost.
	Unroutable int64
	// Violations counts requests that would have crashed the real daemon
	// (see Violations); each closed its connection.
	Violations int64
	// ConnectionsAccepted counts connections accepted since New.
	ConnectionsAccepted int64
	// ConnectionsOpen counts connections open now.
	ConnectionsOpen int64
	// RepliesSent counts message_reply_event frames queued to a client.
	RepliesSent int64
	// RepliesLost counts replies lost on purpose: WithLoss, or the daemon
	// being offline when the reply was due.
	RepliesLost int64
	// RepliesDropped counts replies and other delayed events whose
	// application was gone: connection closed, session expired or closed.
	RepliesDropped int64
	// Retransmissions counts ARQ retransmissions.
	Retransmissions int64
	// RepliesHeld counts replies held now by HoldReplies.
	RepliesHeld int64
}

// counters are the daemon's live counters.
type counters struct {
	requests, surbSends, arqSends, noReplySends, decoys, thinCloses  atomic.Int64
	sessionTokens, documentQueries, ignored, refused, unroutable     atomic.Int64
	violations, accepted, open, sent, lost, dropped, retransmissions atomic.Int64
	held                                                             atomic.Int64
}

// Stats returns a snapshot of the daemon's counters. It is safe for
// concurrent use.
func (d *Daemon) Stats() Stats {
	c := &d.counters
	return Stats{
		Requests:            c.requests.Load(),
		SURBSends:           c.surbSends.Load(),
		ARQSends:            c.arqSends.Load(),
		NoReplySends:        c.noReplySends.Load(),
		Decoys:              c.decoys.Load(),
		ThinCloses:          c.thinCloses.Load(),
		SessionTokens:       c.sessionTokens.Load(),
		DocumentQueries:     c.documentQueries.Load(),
		Ignored:             c.ignored.Load(),
		Refused:             c.refused.Load(),
		Unroutable:          c.unroutable.Load(),
		Violations:          c.violations.Load(),
		ConnectionsAccepted: c.accepted.Load(),
		ConnectionsOpen:     c.open.Load(),
		RepliesSent:         c.sent.Load(),
		RepliesLost:         c.lost.Load(),
		RepliesDropped:      c.dropped.Load(),
		Retransmissions:     c.retransmissions.Load(),
		RepliesHeld:         c.held.Load(),
	}
}

// requestWaiters lets WaitRequests block until the request counter
// reaches a value. The request path pays one atomic load when nobody
// waits.
type requestWaiters struct {
	n       atomic.Int32 // waiters registered
	mu      sync.Mutex
	waiters map[*requestWaiter]struct{}
}

type requestWaiter struct {
	want int64
	ch   chan struct{}
}

// requestDone counts one handled request and wakes the waiters it
// satisfies. The count is taken after the request was handled, so that a
// waiter sees its effects (events queued, replies held or scheduled).
func (d *Daemon) requestDone() {
	v := d.counters.requests.Add(1)
	w := &d.waiters
	if w.n.Load() == 0 {
		return
	}
	w.mu.Lock()
	for rw := range w.waiters {
		if v >= rw.want {
			close(rw.ch)
			delete(w.waiters, rw)
			w.n.Add(-1)
		}
	}
	w.mu.Unlock()
}

// WaitRequests blocks until the daemon has received and handled n
// requests in total since New (any kind, see Stats.Requests), or ctx ends
// (ctx.Err()), or the daemon closes first (ErrClosed). Tests wait with it
// instead of sleeping: once it returns, what those requests caused is
// queued, held or scheduled. It is safe for concurrent use.
func (d *Daemon) WaitRequests(ctx context.Context, n int) error {
	if d.counters.requests.Load() >= int64(n) {
		return nil
	}
	rw := &requestWaiter{want: int64(n), ch: make(chan struct{})}
	w := &d.waiters
	w.mu.Lock()
	if w.waiters == nil {
		w.waiters = make(map[*requestWaiter]struct{})
	}
	w.waiters[rw] = struct{}{}
	w.n.Add(1)
	w.mu.Unlock()
	// Checked again after registering: a request counted in between has
	// not seen this waiter.
	if d.counters.requests.Load() >= int64(n) {
		d.forgetWaiter(rw)
		return nil
	}
	select {
	case <-rw.ch:
		return nil
	case <-ctx.Done():
		d.forgetWaiter(rw)
		return ctx.Err()
	case <-d.done:
		d.forgetWaiter(rw)
		if d.counters.requests.Load() >= int64(n) {
			return nil
		}
		return ErrClosed
	}
}

func (d *Daemon) forgetWaiter(rw *requestWaiter) {
	w := &d.waiters
	w.mu.Lock()
	if _, ok := w.waiters[rw]; ok {
		delete(w.waiters, rw)
		w.n.Add(-1)
	}
	w.mu.Unlock()
}
