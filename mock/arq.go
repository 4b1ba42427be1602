package mock

import (
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

// arq is one v0.0.47 ARQ (reliable) send on its shortened clock. Each
// transmission gets a new daemon-chosen SURB ID and a sent event; when its
// reply is lost (WithLoss, offline, or nothing serves the destination) the
// daemon retransmits WithARQTiming's retransmit delay after the reply was
// due, at most maxRetransmissions times, then gives up with a reply event
// whose err is set and payload empty. The garbage-collection event comes
// the GC delay after the send, or right after the final reply if that is
// later.
//
// The first transmission runs on the connection's reader; everything
// after it on the scheduler goroutine, handed over through the
// scheduler's lock, so the fields need no lock of their own.
type arq struct {
	d               *Daemon
	app             *app
	id              wire.MessageID
	handler         Handler // nil when nothing serves the destination
	payload         []byte
	surbID          wire.SURBID // of the current transmission
	retransmissions int
	done            bool // the final reply has been delivered
	gcPending       bool // the GC delay passed before the final reply
}

// arqSend starts an ARQ send for the connection's application.
func (c *conn) arqSend(id wire.MessageID, h Handler, payload []byte) {
	d := c.d
	d.counters.arqSends.Add(1)
	now := time.Now()
	if !d.connected.Load() {
		// Guess: the send fails at once, with no retransmission and no
		// garbage-collection event.
		d.counters.refused.Add(1)
		ev := event{kind: evSent, hasMsgID: true, msgID: id, hasSURB: true, surbID: wire.NewSURBID(), sentAt: now, failed: true}
		c.sendEvent(&ev)
		return
	}
	if h == nil {
		d.counters.unroutable.Add(1)
	}
	q := &arq{d: d, app: c.app.Load(), id: id, handler: h, payload: payload}
	q.transmit(now)
	d.sched.at(now.Add(d.opts.gc), q.gcDue)
}

// transmit sends one transmission at time at, or, with send pacing, on
// the slot that releases it.
func (q *arq) transmit(at time.Time) {
	if p := q.d.pacer; p != nil {
		p.enqueue(q.transmitNow)
		return
	}
	q.transmitNow(at)
}

// transmitNow sends one transmission at time at.
func (q *arq) transmitNow(at time.Time) {
	d := q.d
	q.surbID = wire.NewSURBID()
	ev := event{kind: evSent, hasMsgID: true, msgID: q.id, hasSURB: true, surbID: q.surbID, sentAt: time.Now()}
	if !d.connected.Load() {
		// A retransmission while offline fails (a sent event with err)
		// and counts as a lost transmission.
		ev.failed = true
		d.deliver(q.app, &ev, false)
		d.sched.at(at.Add(d.opts.latency+d.opts.retransmit), q.retransmitDue)
		return
	}
	ev.eta = d.replyETA()
	d.deliver(q.app, &ev, false)
	if d.opts.latency == 0 {
		q.replyDue(at)
		return
	}
	d.sched.at(at.Add(d.opts.latency), q.replyDue)
}

// replyDue is when the current transmission's reply would arrive.
func (q *arq) replyDue(at time.Time) {
	d := q.d
	if q.abandoned() {
		return
	}
	if q.handler != nil {
		out := q.handler(q.payload)
		if d.connected.Load() && !d.lose() {
			q.finish(&event{kind: evReply, hasMsgID: true, msgID: q.id, hasSURB: true, surbID: q.surbID, payload: out})
			return
		}
		d.counters.lost.Add(1)
	}
	d.sched.at(at.Add(d.opts.retransmit), q.retransmitDue)
}

// retransmitDue is when the daemon gives up waiting for the current
// transmission's reply.
func (q *arq) retransmitDue(at time.Time) {
	if q.abandoned() {
		return
	}
	if q.retransmissions < maxRetransmissions {
		q.retransmissions++
		q.d.counters.retransmissions.Add(1)
		q.transmit(at)
		return
	}
	q.finish(&event{kind: evReply, hasMsgID: true, msgID: q.id, hasSURB: true, surbID: q.surbID, failed: true})
}

// finish delivers the final reply (an answer or the give-up) and the
// garbage-collection event if it is already due.
func (q *arq) finish(ev *event) {
	q.d.deliver(q.app, ev, true)
	q.done = true
	if q.gcPending {
		q.gc()
	}
}

func (q *arq) gcDue(time.Time) {
	if q.abandoned() {
		return
	}
	if q.done {
		q.gc()
		return
	}
	q.gcPending = true
}

func (q *arq) gc() {
	q.d.deliver(q.app, &event{kind: evGC, hasMsgID: true, msgID: q.id}, true)
}

// abandoned reports whether the ARQ's application is gone (its connection
// closed), which ends the ARQ: the real daemon forgets an application's
// state when it disconnects.
func (q *arq) abandoned() bool {
	if q.app.dead.Load() {
		if !q.done {
			q.done = true
			q.d.counters.dropped.Add(1)
		}
		return true
	}
	return false
}
