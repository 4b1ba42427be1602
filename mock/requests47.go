package mock

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

// handle47 handles one v0.0.47 request and reports whether the
// connection has ended. The real v0.0.47 daemon validates nothing and
// crashes on the requests docs/protocol.md 4 lists; the mock records each as
// a Violation and closes only the offending connection. req's byte
// slices other than the payload may be views of body (see
// requestDecoder).
func (c *conn) handle47(body []byte, dec *requestDecoder, req *wire.Request) bool {
	d := c.d
	if err := dec.decode47(body, req); err != nil {
		return c.violate(fmt.Sprintf("frame does not decode as a request: %v", err))
	}
	switch n := req.Ops(); {
	case n == 0:
		return c.violate("request with no operation flag")
	case n > 1:
		return c.violate(fmt.Sprintf("request with %d operation flags", n))
	}
	switch {
	case req.IsThinClose:
		c.logRequest("thin_close")
		d.counters.thinCloses.Add(1)
		c.end(endThinClose)
		return true
	case req.IsLoopDecoy, req.IsDropDecoy:
		c.logRequest("decoy")
		d.counters.decoys.Add(1)
		return false
	case req.IsSendOp:
		if req.SURBID == nil {
			return c.violate("is_send_op with a null surbid (the daemon dereferences it)")
		}
		if reason := d.checkSend47(req); reason != "" {
			return c.violate(reason)
		}
		h := d.state.Load().routes.lookup(req.DestinationIDHash, req.RecipientQueueID)
		if req.WithSURB {
			c.logRequest("send_surb")
			c.surbSend(nil, *req.SURBID, h, req.Payload)
		} else {
			c.logRequest("send_noreply")
			c.noReplySend(h, req.Payload)
		}
		return false
	default: // req.IsARQSendOp
		if req.ID == nil {
			// Not in the list of docs/protocol.md 4: a guess that the daemon
			// dereferences the ID as it does the SURB ID.
			return c.violate("is_arq_send_op with a null id")
		}
		if reason := d.checkSend47(req); reason != "" {
			return c.violate(reason)
		}
		c.logRequest("send_arq")
		h := d.state.Load().routes.lookup(req.DestinationIDHash, req.RecipientQueueID)
		c.arqSend(*req.ID, h, req.Payload)
		return false
	}
}

// checkSend47 returns why a send would crash the v0.0.47 daemon, or "".
func (d *Daemon) checkSend47(req *wire.Request) string {
	switch {
	case len(req.DestinationIDHash) != 32:
		return fmt.Sprintf("send with a destination_id_hash of %d bytes, want 32", len(req.DestinationIDHash))
	case len(req.RecipientQueueID) == 0 || len(req.RecipientQueueID) > maxQueueLength:
		return fmt.Sprintf("send with a recipient_queue_id of %d bytes, want 1 to %d", len(req.RecipientQueueID), maxQueueLength)
	case len(req.Payload) > d.opts.maxPayload:
		return fmt.Sprintf("send with a payload of %d bytes, over the %d-byte limit", len(req.Payload), d.opts.maxPayload)
	}
	return ""
}

// surbSend sends a message with a SURB, in either generation: a sent
// event, then (after the latency, unless lost or unroutable) the
// service's reply. msgID is echoed in both events when set.
func (c *conn) surbSend(msgID *wire.MessageID, surbID wire.SURBID, h Handler, payload []byte) {
	d := c.d
	d.counters.surbSends.Add(1)
	ev := event{kind: evSent, hasSURB: true, surbID: surbID, sentAt: time.Now()}
	if msgID != nil {
		ev.hasMsgID, ev.msgID = true, *msgID
	}
	if !d.connected.Load() {
		d.counters.refused.Add(1)
		ev.failed = true
		c.sendEvent(&ev)
		return
	}
	a := c.app.Load()
	if d.pacer != nil {
		d.pacer.enqueue(func(slot time.Time) { d.surbLeave(a, ev, h, payload, slot) })
		return
	}
	ev.eta = d.replyETA()
	c.sendEvent(&ev)
	if h == nil {
		d.counters.unroutable.Add(1)
		return
	}
	if d.opts.latency == 0 {
		d.surbReply(a, h, &ev, payload)
		return
	}
	sent := ev
	d.sched.at(ev.sentAt.Add(d.opts.latency), func(time.Time) { d.surbReply(a, h, &sent, payload) })
}

// surbLeave is surbSend when its send slot releases it (WithSendPacing):
// the sent event, stamped with the slot's time, goes to the application
// wherever it is now, and the reply follows the latency after the slot.
func (d *Daemon) surbLeave(a *app, ev event, h Handler, payload []byte, slot time.Time) {
	ev.sentAt = slot
	if !d.connected.Load() {
		d.counters.refused.Add(1)
		ev.failed = true
		d.deliver(a, &ev, false)
		return
	}
	ev.eta = d.replyETA()
	d.deliver(a, &ev, false)
	switch {
	case h == nil:
		d.counters.unroutable.Add(1)
	case d.opts.latency == 0:
		d.surbReply(a, h, &ev, payload)
	default:
		d.sched.at(slot.Add(d.opts.latency), func(time.Time) { d.surbReply(a, h, &ev, payload) })
	}
}

// surbReply runs the service and delivers its reply to a, unless lost.
// sent is the send's sent event, whose IDs the reply repeats.
func (d *Daemon) surbReply(a *app, h Handler, sent *event, payload []byte) {
	out := h(payload)
	if !d.connected.Load() || d.lose() {
		d.counters.lost.Add(1)
		return
	}
	ev := event{kind: evReply, hasMsgID: sent.hasMsgID, msgID: sent.msgID, hasSURB: true, surbID: sent.surbID, payload: out}
	d.deliver(a, &ev, true)
}

// noReplySend delivers a message without SURB to its service (v0.0.47:
// the service gets it; no event comes back).
func (c *conn) noReplySend(h Handler, payload []byte) {
	d := c.d
	d.counters.noReplySends.Add(1)
	if d.pacer != nil && d.connected.Load() {
		d.pacer.enqueue(func(slot time.Time) { d.noReplyLeave(h, payload, slot) })
		return
	}
	d.noReplyLeave(h, payload, time.Now())
}

// noReplyLeave is a no-reply send leaving the daemon at time at.
func (d *Daemon) noReplyLeave(h Handler, payload []byte, at time.Time) {
	switch {
	case !d.connected.Load():
		return
	case h == nil:
		d.counters.unroutable.Add(1)
	case d.opts.latency == 0:
		h(payload)
	default:
		d.sched.at(at.Add(d.opts.latency), func(time.Time) { h(payload) })
	}
}

// lose decides whether a reply is lost (WithLoss).
func (d *Daemon) lose() bool {
	return d.opts.loss > 0 && rand.Float64() < d.opts.loss
}

// replyETA is the reply_eta sent events report.
func (d *Daemon) replyETA() time.Duration {
	if d.opts.latency > 0 {
		return d.opts.latency
	}
	return DefaultReplyETA
}
