package client

import (
	"context"
	"fmt"
	"time"

	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/service"
	"github.com/katzenthin/katzenthin/wire"
)

// Send sends payload to dst with a SURB and blocks until the reply comes
// or ctx ends. The reply carries the sent event's SentAt and ETA when that
// came first.
//
// The mixnet loses packets silently: without a deadline on ctx, a lost
// reply blocks Send until the connection ends. Send fails at once with
// ErrInvalidRequest for a bad destination or a payload over the limit,
// with ErrOffline while the daemon reports no mixnet connection, with
// ErrSendFailed when the daemon reports the send failed, and with
// ErrConnectionLost when the connection breaks before the reply (the
// SURB died with the daemon's state; v0.0.99 daemons may resume the
// session instead, and the call goes on).
func (c *Client) Send(ctx context.Context, dst service.Destination, payload []byte) (Reply, error) {
	return c.roundTrip(ctx, kindSURB, dst, payload)
}

// SendReliable sends payload to dst with automatic retransmission and
// blocks until a reply comes, retransmissions run out
// (ErrRetransmissionsExhausted), or ctx ends. A v0.0.47 daemon runs the
// retransmissions itself; for v0.0.99, which no longer does, the client
// retransmits with a fresh SURB when no reply came within the daemon's
// reply ETA plus WithRetransmission's slop, and takes the first reply.
//
// Delivery is at least once: after a lost connection the message is sent
// again with the same message ID, so the service may see it twice.
func (c *Client) SendReliable(ctx context.Context, dst service.Destination, payload []byte) (Reply, error) {
	return c.roundTrip(ctx, kindReliable, dst, payload)
}

// SendNoReply sends payload to dst without waiting for an answer: it
// returns once the request is written to the daemon's socket (the daemon
// acknowledges nothing). On v0.0.99 daemons, which lose sends without a
// SURB, the message goes with a SURB and its reply is discarded.
func (c *Client) SendNoReply(ctx context.Context, dst service.Destination, payload []byte) error {
	_, err := c.roundTrip(ctx, kindNoReply, dst, payload)
	return err
}

// roundTrip runs one call through as many connections as it takes.
func (c *Client) roundTrip(ctx context.Context, kind callKind, dst service.Destination, payload []byte) (Reply, error) {
	if c.o.tracer != nil && !traced(ctx) {
		return c.traceSend(ctx, kind, dst, payload) // tracer hook
	}
	if err := ctx.Err(); err != nil {
		return Reply{}, err
	}
	if err := c.validate(&dst, payload); err != nil {
		return Reply{}, err
	}
	cl := getCall(kind)
	var id futureKey
	drawn, reuse := false, false
	defer func() {
		c.fut.forget(id, cl)
		if reuse {
			cl.release()
		}
	}()
	for {
		s, err := c.session(ctx)
		if err != nil {
			return Reply{}, err
		}
		if kind == kindReliable && !s.d.daemonRetransmits() {
			c.fut.forget(id, cl)
			return c.retransmit(ctx, dst, payload)
		}
		// A reliable send keeps its message ID across connections.
		if err := c.register(cl, &id, !drawn || kind != kindReliable); err != nil {
			return Reply{}, err
		}
		drawn = true
		if c.o.tracer != nil {
			traceAttempt(ctx) // tracer hook
		}
		op := sendOp{kind: kind, id: id, dst: dst, payload: payload}
		cl.setFrame(s.d.appendSend(cl.frameBuf(), op))
		if !s.w.enqueue(cl) {
			c.fut.forget(id, cl)
			if err := waitDead(ctx, s); err != nil {
				return Reply{}, err
			}
			continue
		}
		r, err := c.wait(ctx, cl)
		if err != nil {
			return Reply{}, err
		}
		switch r.kind {
		case resultResend:
			continue
		case resultWritten:
			return Reply{}, nil
		}
		if kind == kindReliable {
			r.reply.MessageID = id
		}
		// A successful reply came from the reader, which took the call
		// out of the map first: nobody else holds it now. Not so for a
		// no-reply send: on v0.0.99 its discarded reply can beat the
		// writer's "written" notice, which would then reach the call's
		// next user.
		reuse = r.err == nil && kind != kindNoReply
		return r.reply, r.err
	}
}

// retransmit is SendReliable on daemons that do not retransmit (v0.0.99):
// the client sends with a fresh SURB ID on every transmission and waits
// for a reply to any of them.
func (c *Client) retransmit(ctx context.Context, dst service.Destination, payload []byte) (Reply, error) {
	msgID := wire.NewMessageID()
	// Every transmission is its own call (its own frame, its own ID), and
	// all of them answer on one channel: the first reply wins.
	done := make(chan result, reliableResults)
	type transmission struct {
		id futureKey
		tx *call
	}
	var sent []transmission
	defer func() {
		for _, t := range sent {
			c.fut.forget(t.id, t.tx)
		}
	}()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var current *call
	transmissions, send := 0, true
	for {
		if send {
			send = false
			s, err := c.session(ctx)
			if err != nil {
				return Reply{}, err
			}
			tx := &call{kind: kindReliable, notifySent: true, done: done}
			var id futureKey
			if err := c.register(tx, &id, true); err != nil {
				return Reply{}, err
			}
			sent = append(sent, transmission{id, tx})
			op := sendOp{kind: kindSURB, id: id, dst: dst, payload: payload}
			tx.setFrame(s.d.appendSend(tx.frameBuf(), op))
			if !s.w.enqueue(tx) {
				if err := waitDead(ctx, s); err != nil {
					return Reply{}, err
				}
				send = true
				continue
			}
			current = tx
			transmissions++
			if c.o.tracer != nil {
				traceAttempt(ctx) // tracer hook
			}
			// Until the sent event tells the ETA, the slop alone bounds it.
			timer.Reset(c.o.retransmitSlop)
		}
		select {
		case r := <-done:
			switch r.kind {
			case resultSent:
				if k := futureKey(r.reply.SURBID); len(sent) > 0 && sent[len(sent)-1].id == k {
					timer.Reset(r.reply.ETA + c.o.retransmitSlop)
				}
			case resultResend:
				transmissions-- // that transmission never reached a daemon
				send = true
			case resultFinal:
				r.reply.MessageID = msgID
				return r.reply, r.err
			}
		case <-timer.C:
			if transmissions > c.o.maxRetransmissions {
				return Reply{}, fmt.Errorf("%w: no reply after %d transmissions", ErrRetransmissionsExhausted, transmissions)
			}
			current.abandon()
			send = true
		case <-ctx.Done():
			if current != nil {
				current.abandon()
			}
			return Reply{}, ctx.Err()
		}
	}
}

// DocumentForEpoch returns the PKI document of epoch (0: the current one).
// A v0.0.99 daemon is asked for it; the signed certificate it answers with
// is unwrapped without checking its signatures, which is the daemon's
// business. A v0.0.47 daemon cannot be asked: the current document is
// returned for epoch 0 or the current epoch, ErrUnsupported otherwise.
func (c *Client) DocumentForEpoch(ctx context.Context, epoch uint64) (*pki.Document, error) {
	if c.o.tracer != nil && !traced(ctx) {
		return c.traceDocument(ctx, epoch) // tracer hook
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cl := newCall(kindQuery)
	var id futureKey
	defer func() { c.fut.forget(id, cl) }()
	for {
		s, err := c.session(ctx)
		if err != nil {
			return nil, err
		}
		if err := c.register(cl, &id, true); err != nil {
			return nil, err
		}
		frame, ok := s.d.appendQuery(cl.frameBuf(), wire.QueryID(id), epoch)
		if !ok {
			doc := c.Document()
			if epoch == 0 || epoch == doc.Epoch {
				return doc, nil
			}
			return nil, fmt.Errorf("%w: a %s daemon serves only the current document (epoch %d), not epoch %d",
				ErrUnsupported, s.d.generation(), doc.Epoch, epoch)
		}
		if c.o.tracer != nil {
			traceAttempt(ctx) // tracer hook
		}
		cl.setFrame(frame)
		if !s.w.enqueue(cl) {
			c.fut.forget(id, cl)
			if err := waitDead(ctx, s); err != nil {
				return nil, err
			}
			continue
		}
		r, err := c.wait(ctx, cl)
		if err != nil {
			return nil, err
		}
		if r.kind == resultResend {
			continue
		}
		if r.err != nil {
			return nil, fmt.Errorf("client: document for epoch %d: %w", epoch, r.err)
		}
		return pki.ParseCertificate(r.payload)
	}
}

// validate refuses what the daemon would choke on (PROTOCOL.md 4).
func (c *Client) validate(dst *service.Destination, payload []byte) error {
	if err := dst.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	}
	if limit := c.info.Load().MaxPayload; len(payload) > limit {
		return invalid("payload of %d bytes is over the %d-byte limit", len(payload), limit)
	}
	return nil
}

// session returns the live connection, waiting within ctx while the
// client reconnects.
func (c *Client) session(ctx context.Context) (*session, error) {
	for {
		st := c.conn.Load()
		switch {
		case c.closed.Load():
			return nil, ErrClosed
		case st.err != nil:
			return nil, st.err
		case st.sess != nil:
			if !c.online.Load() {
				if c.conn.Load() != st {
					continue // the connection just went down: wait for the next
				}
				return nil, ErrOffline
			}
			return st.sess, nil
		}
		select {
		case <-st.up:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// newID draws a random request ID from crypto/rand; a variable so that
// tests can force collisions.
var newID = func() futureKey { return futureKey(wire.NewSURBID()) }

// register files cl under a fresh random ID (fresh) or under *id. A
// random ID that is taken is drawn again, so IDs never collide.
func (c *Client) register(cl *call, id *futureKey, fresh bool) error {
	for {
		if fresh {
			*id = newID()
		}
		if c.fut.add(*id, cl) {
			break
		}
		if !fresh {
			return fmt.Errorf("client: message ID %x is in use", *id)
		}
	}
	// Close fails the calls it finds; one registered after it looked
	// must see that the client is closed.
	if c.closed.Load() {
		c.fut.forget(*id, cl)
		return ErrClosed
	}
	return nil
}

// wait blocks for cl's next result or the end of ctx. A call that gives up
// takes its frame back if it is still queued, so it is never written.
func (c *Client) wait(ctx context.Context, cl *call) (result, error) {
	for {
		select {
		case r := <-cl.done:
			if r.kind == resultSent {
				continue
			}
			return r, nil
		case <-ctx.Done():
			cl.abandon()
			return result{}, ctx.Err()
		}
	}
}

// waitDead waits for a connection whose writer refused a frame to be
// declared dead, so that the next session lookup finds its successor.
func waitDead(ctx context.Context, s *session) error {
	select {
	case <-s.dead:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
