package pigeonhole

import (
	"context"
	"errors"
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

// Stats counts what a Client did that costs the daemon more than the
// calls themselves show. It is a plain value.
type Stats struct {
	// ReadRefreshes counts envelopes of waiting reads encrypted again
	// (WithReadRefresh): one MKEM encapsulation in the daemon each.
	ReadRefreshes int64
}

// Stats returns the Client's counters. It is safe for concurrent use.
func (p *Client) Stats() Stats {
	return Stats{ReadRefreshes: p.refreshes.Load()}
}

// RefreshTracer is an optional interface of the client's Tracer
// (client.WithTracer): a tracer that implements it is told about each
// refresh of a waiting read, on the read's goroutine. It must be quick
// and safe for concurrent use, like the Tracer's own methods.
type RefreshTracer interface {
	ReadRefreshed(info RefreshInfo)
}

// RefreshInfo describes one refresh of a waiting read. It holds no
// capability, index or hash.
type RefreshInfo struct {
	// Refresh is this read's count of refreshes so far, 1 for the first.
	Refresh int
	// Waited is the time since the read's first envelope was started.
	Waited time.Duration
	// Next is the time until the next refresh, if the read still waits.
	Next time.Duration
}

// startResult is the outcome of one envelope's start.
type startResult struct {
	rep *wire.StartResendingEncryptedMessageReply
	err error
}

// liveRead is the start of one envelope, running on its own goroutine so
// that the read can refresh it.
type liveRead struct {
	hash [32]byte
	stop context.CancelFunc
	done chan startResult
}

func (p *Client) launch(ctx context.Context, r *ReadCap, at *MessageBoxIndex, env Envelope) *liveRead {
	sctx, stop := context.WithCancel(ctx)
	l := &liveRead{hash: env.Hash, stop: stop, done: make(chan startResult, 1)}
	req := readRequest(r, at, env, false)
	go func() {
		rep, err := p.start(sctx, req, env.Hash)
		l.done <- startResult{rep, err}
	}()
	return l
}

// waitingRead is a read that waits for its box and refreshes its
// envelope on the schedule of WithReadRefresh (docs/protocol.md 9.7 item
// 4). There is never more than one live envelope: the new one is
// encrypted while the old one still runs, but started only once the old
// one has ended, by its answer or by the cancel. An answer of the old one
// that comes before the cancel took effect is the read's answer.
func (p *Client) waitingRead(ctx context.Context, r *ReadCap, at *MessageBoxIndex, env Envelope) (*wire.StartResendingEncryptedMessageReply, error) {
	began := time.Now()
	wait := p.o.refreshFirst
	cur := p.launch(ctx, r, at, env)
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for n := 1; ; {
		select {
		case res := <-cur.done:
			cur.stop()
			return res.rep, res.err
		case <-timer.C:
		}
		wait = min(2*wait, p.o.refreshMax)
		fresh, err := p.EncryptRead(ctx, r, at)
		if err != nil {
			if ctx.Err() != nil {
				// The old start ends with ctx too (sending its cancel).
				res := <-cur.done
				cur.stop()
				return res.rep, res.err
			}
			// The daemon could not encrypt (say, no PKI document): keep
			// the old envelope and try again later.
			timer.Reset(wait)
			continue
		}
		select {
		case res := <-cur.done: // answered while encrypting
			cur.stop()
			return res.rep, res.err
		default:
		}
		cancelErr := p.CancelEnvelope(ctx, cur.hash)
		// The daemon answers the cancelled start (24) before the cancel,
		// and a real answer that beat the cancel comes before it too: by
		// now either is the start's. Otherwise the cancel found nothing
		// live, and stopping the start's call ends it.
		cur.stop()
		res := <-cur.done
		if !p.superseded(ctx, res.err) {
			return res.rep, res.err
		}
		if cancelErr != nil {
			return nil, cancelErr
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p.refreshes.Add(1)
		if t, ok := p.c.Tracer().(RefreshTracer); ok {
			t.ReadRefreshed(RefreshInfo{Refresh: n, Waited: time.Since(began), Next: wait})
		}
		n++
		cur = p.launch(ctx, r, at, fresh)
		timer.Reset(wait)
	}
}

// superseded reports whether err is how a refreshed envelope's start
// ends: cancelled by the daemon (24) or by stopping its call while ctx
// itself goes on.
func (p *Client) superseded(ctx context.Context, err error) bool {
	if errors.Is(err, ErrCancelled) {
		return true
	}
	return ctx.Err() == nil && errors.Is(err, context.Canceled)
}
