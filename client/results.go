package client

import (
	"fmt"
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

// The reader's side of the state machine: results from the daemon. Each
// handler finds the call under its shard's lock and moves it under the
// call's lock; a result that belongs to no live call, to a call of
// another type, or to another daemon session is dropped and counted.

// verdict says what a result may do to the call it names.
type verdict uint8

const (
	verdictTake  verdict = iota // the call accepts the result
	verdictLate                 // the call is over (or discards results): drop, count as late
	verdictWrong                // wrong type or daemon session: drop, count as wrong
)

// judgeLocked decides whether cl accepts a result of the given type that
// came on s. The caller holds cl.mu.
func judgeLocked(cl *call, s *connection, message bool, kind wire.ReplyKind) verdict {
	switch {
	case cl.state == stDone || cl.kind == kindNoReply:
		return verdictLate
	case message != (cl.kind != kindQuery),
		!message && kind != cl.query.expect,
		!cl.written || cl.session != s.session:
		return verdictWrong
	}
	return verdictTake
}

func (c *Client) count(v verdict) {
	if v == verdictWrong {
		c.fut.wrong.Add(1)
	} else {
		c.fut.late.Add(1)
	}
}

// eventKey is the future an event belongs to: ARQ events carry the
// request's message ID (their SURB ID is the daemon's), SURB events
// their SURB ID.
func eventKey(m *wire.MessageID, s *wire.SURBID) (futureKey, bool) {
	switch {
	case m != nil:
		return *m, true
	case s != nil:
		return *s, true
	default:
		return futureKey{}, false
	}
}

func (c *Client) handleMessageSent(s *connection, ev *wire.MessageSentEvent) {
	k, ok := eventKey(ev.MessageID, ev.SURBID)
	if c.debug {
		c.log.Debug("message sent", "id", fmt.Sprintf("%x", k), "eta", ev.ReplyETA, "failed", ev.Err != nil)
	}
	pub := pendingEvent{c: c}
	if c.subs.active() {
		out := &MessageSent{SentAt: ev.SentAt, ETA: ev.ReplyETA}
		if ev.MessageID != nil {
			out.MessageID = *ev.MessageID
		}
		if ev.SURBID != nil {
			out.SURBID = *ev.SURBID
		}
		if ev.Err != nil {
			// A copy: ev lives in the decoder's scratch space.
			out.Err = &DaemonError{Text: ev.Err.Text, Kind: ErrSendFailed}
		}
		pub.ev = out
	}
	if ok {
		c.applySent(s, k, ev, &pub)
	}
	pub.publish(nil)
}

// messageEvent is a message event whose message ID a call may supply:
// the events of a reliable send the client retransmits carry the call's
// message ID, not the daemon's.
type messageEvent interface {
	Event
	setMessageID(wire.MessageID)
}

func (e *MessageSent) setMessageID(id wire.MessageID)  { e.MessageID = id }
func (e *MessageReply) setMessageID(id wire.MessageID) { e.MessageID = id }

// pendingEvent is a message event on its way to the subscribers, published
// once: by resolve before it moves the call, or by the handler after.
type pendingEvent struct {
	c  *Client
	ev messageEvent // nil: nobody subscribes, or it went out already
}

// publish sends the event, with msgID when not nil, unless it went out.
func (p *pendingEvent) publish(msgID *wire.MessageID) {
	if p.ev == nil {
		return
	}
	if msgID != nil {
		p.ev.setMessageID(*msgID)
	}
	p.c.subs.publish(p.ev)
	p.ev = nil
}

// resolve finds the call under k for a result that came on s (a message
// event, or a query reply of kind) and, if the call accepts it, runs take
// under the shard's lock and the call's; take reports whether the call is
// done with k, whose entry is then removed. A result nobody takes is
// counted.
//
// A message event's subscribers see it before its call moves: resolve
// publishes pub (nil for queries) just before take, so a call that has
// returned has had its events published. resolve's caller publishes the
// events of keys nobody waits for.
func (c *Client) resolve(s *connection, k futureKey, message bool, kind wire.ReplyKind, pub *pendingEvent, take func(cl *call) (done bool)) {
	sh := c.fut.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	cl := sh.m[k]
	if cl == nil {
		c.fut.late.Add(1)
		return
	}
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if pub != nil {
		var msgID *wire.MessageID
		if cl.kind == kindReliable && cl.att.notify {
			id := cl.msgID()
			msgID = &id
		}
		pub.publish(msgID)
	}
	if v := judgeLocked(cl, s, message, kind); v != verdictTake {
		c.count(v)
		return
	}
	if take(cl) {
		delete(sh.m, k)
	}
}

// applySent records a sent event in the call under k; see resolve.
func (c *Client) applySent(s *connection, k futureKey, ev *wire.MessageSentEvent, pub *pendingEvent) {
	c.resolve(s, k, true, wire.ReplyNone, pub, func(cl *call) bool {
		if ev.Err != nil {
			// The send failed inside the daemon: no reply can come.
			cl.finishLocked(&DaemonError{Text: ev.Err.Text, Kind: ErrSendFailed})
			return true
		}
		if k != cl.att.key {
			return false // an earlier transmission's: the current one's timing counts
		}
		cl.reply.SentAt, cl.reply.ETA = ev.SentAt, ev.ReplyETA
		if (cl.state == stWriting || cl.state == stWritten) && !cl.att.sent {
			cl.att.sent = true
			if cl.att.notify {
				// The horizon counts from when the event came: the daemon's
				// sent_at has whole seconds only (and a clock of its own).
				cl.att.sentSeen = time.Now()
				cl.signal()
			}
		}
		return false
	})
}

func (c *Client) handleMessageReply(s *connection, ev *wire.MessageReplyEvent) {
	k, ok := eventKey(ev.MessageID, ev.SURBID)
	if c.debug {
		c.log.Debug("message reply", "id", fmt.Sprintf("%x", k), "bytes", len(ev.Payload), "failed", ev.Err != nil || ev.ErrorCode != 0)
	}
	var reply Reply
	reply.Payload = ev.Payload // a view into the frame: applyReply copies it
	if ev.SURBID != nil {
		reply.SURBID = *ev.SURBID
	}
	if ev.MessageID != nil {
		reply.MessageID = *ev.MessageID
	}
	var err error
	switch {
	case ev.Err != nil && ev.MessageID != nil:
		err = &DaemonError{Text: ev.Err.Text, Kind: ErrRetransmissionsExhausted}
	case ev.Err != nil:
		err = &DaemonError{Text: ev.Err.Text, Kind: ErrSendFailed}
	case ev.ErrorCode != wire.ErrorCodeSuccess:
		err = codeError(ev.ErrorCode)
	}
	pub := pendingEvent{c: c}
	if c.subs.active() {
		pub.ev = &MessageReply{
			MessageID: reply.MessageID, SURBID: reply.SURBID, Err: err,
			Payload: append([]byte(nil), ev.Payload...), // ev.Payload is a view into the frame
		}
	}
	if ok {
		c.applyReply(s, k, reply, err, &pub)
	}
	pub.publish(nil)
}

// applyReply ends the call under k with reply (or err); see resolve.
func (c *Client) applyReply(s *connection, k futureKey, reply Reply, err error, pub *pendingEvent) {
	c.resolve(s, k, true, wire.ReplyNone, pub, func(cl *call) bool {
		if cl.kind == kindReliable {
			reply.MessageID = cl.msgID()
		}
		reply.SentAt, reply.ETA = cl.reply.SentAt, cl.reply.ETA
		if reply.Payload != nil {
			// The payload is a view into the reader's buffer: the
			// caller's own copy, in the buffer SendAppend passed.
			into := cl.into
			if into == nil {
				into = make([]byte, 0, len(reply.Payload))
			}
			reply.Payload = append(into, reply.Payload...)
		}
		cl.reply = reply
		cl.finishLocked(err)
		return true
	})
}

// handleQueryReply ends the query call under qid with resp.
func (c *Client) handleQueryReply(s *connection, resp *wire.Response, kind wire.ReplyKind, qid *wire.QueryID) {
	if qid == nil {
		c.fut.late.Add(1)
		return
	}
	if (kind == wire.ReplyCancelResendingEncryptedMessage || kind == wire.ReplyCancelResendingCopyCommand) &&
		c.cancelAnswered(*qid) {
		return
	}
	c.resolve(s, futureKey(*qid), false, kind, nil, func(cl *call) bool {
		// A shallow copy: query replies come from the general decoder,
		// whose events are fresh memory, never the decoder's scratch
		// space.
		cl.query.resp = *resp
		cl.finishLocked(nil)
		return true
	})
}
