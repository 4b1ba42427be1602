package mock

// heldEvent is an event held by HoldReplies, with the application it is
// for.
type heldEvent struct {
	app *app
	ev  event
}

// releaseHighWater bounds the bytes ReleaseReplies lets pile up in one
// connection's queue before it waits for the writer.
const releaseHighWater = 1 << 20

// HoldReplies makes the daemon hold, from now on, every reply from the
// mixnet (message_reply_event of SURB and ARQ sends, ARQ give-ups) and
// every message_id_garbage_collected event, instead of sending it, until
// ReleaseReplies. Sent events and the daemon's own answers (session token,
// get_pki_document, v0.0.99 error codes) are not held. It is safe for
// concurrent use.
func (d *Daemon) HoldReplies() {
	d.holdMu.Lock()
	d.holdOn = true
	d.holding.Store(true)
	d.holdMu.Unlock()
}

// ReleaseReplies stops holding and sends every held event, in the order
// they were held, each to its application (a v0.0.99 session waiting to
// be resumed keeps them; an application that is gone loses them). It
// returns once all are queued, waiting for slow clients to drain their
// queues on the way, so that releasing 100,000 replies does not pile them
// up in memory. It is safe for concurrent use.
func (d *Daemon) ReleaseReplies() {
	d.holdMu.Lock()
	held := d.held
	d.held = nil
	d.holdOn = false
	d.holding.Store(false)
	d.holdMu.Unlock()
	d.counters.held.Add(-int64(len(held)))
	for i := range held {
		if c := d.deliver(held[i].app, &held[i].ev, false); c != nil {
			c.waitDrained(releaseHighWater)
		}
		held[i] = heldEvent{}
	}
}

// ReleaseOne sends the oldest held event to its application, as
// ReleaseReplies sends each, and keeps holding the others and those to
// come. It reports whether there was one. With several callers, or
// concurrently with ReleaseReplies, events may go out of their held
// order. It is safe for concurrent use.
func (d *Daemon) ReleaseOne() bool {
	d.holdMu.Lock()
	if len(d.held) == 0 {
		d.holdMu.Unlock()
		return false
	}
	h := d.held[0]
	d.held[0] = heldEvent{}
	d.held = d.held[1:]
	d.holdMu.Unlock()
	d.counters.held.Add(-1)
	d.deliver(h.app, &h.ev, false)
	return true
}

// hold queues ev for a if replies are held; false if they no longer are.
func (d *Daemon) hold(a *app, ev *event) bool {
	d.holdMu.Lock()
	defer d.holdMu.Unlock()
	if !d.holdOn {
		return false
	}
	d.held = append(d.held, heldEvent{app: a, ev: *ev})
	d.counters.held.Add(1)
	return true
}
