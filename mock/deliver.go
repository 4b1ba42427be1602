package mock

import (
	"sync/atomic"
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

// eventKind says which event an event is.
type eventKind uint8

const (
	evSent  eventKind = iota + 1 // message_sent_event
	evReply                      // message_reply_event
	evGC                         // message_id_garbage_collected
)

// event is a message event on its way to an application, held as values
// (no pointers to the request) so that it can wait in a hold queue or a
// session's pending queue. It is encoded when a connection takes it.
type event struct {
	kind     eventKind
	hasMsgID bool
	hasSURB  bool
	failed   bool           // sent: err set; reply: the ARQ gave up (err set, empty payload)
	code     wire.ErrorCode // v0.0.99 reply: a non-zero code refuses the request (null payload)
	msgID    wire.MessageID
	surbID   wire.SURBID
	sentAt   time.Time
	eta      time.Duration
	payload  []byte // reply: the service's answer, padded when encoded
}

// The errors the daemon reports. The v0.0.47 generation sends any error
// as an empty map; the texts are what a v0.0.99 daemon would send (they
// are guesses: the capture has none).
var (
	errNotConnected = &wire.DaemonError{Text: "not connected"}
	errARQGaveUp    = &wire.DaemonError{Text: "max retries reached"}
)

// maxPending is how many events a v0.0.99 daemon keeps for a session
// that is away; the rest are dropped.
const maxPending = 1000

// appState is where an application stands; guarded by Daemon.mu.
type appState uint8

const (
	appAttached appState = iota // on a connection
	appDetached                 // v0.0.99 session waiting to be resumed
	appGone                     // state dropped: its events are dropped
)

// app is an application session: one per connection in v0.0.47, one per
// session token (or per tokenless connection) in v0.0.99. Events go to the
// app, which passes them to its connection, keeps them while its session
// waits to be resumed, or drops them.
type app struct {
	id    wire.Token
	token *wire.Token // v0.0.99 session token; nil for a legacy application

	conn atomic.Pointer[conn] // nil unless attached
	dead atomic.Bool          // state dropped for good

	// Guarded by Daemon.mu.
	state     appState
	detachSeq uint64    // counts detachments, so that a stale expiry does nothing
	expires   time.Time // while detached
	pending   []event   // while detached
}

// deliver passes ev to a's connection, or to the hold queue when holdable
// and replies are held, or to a's pending queue while its session waits,
// or drops it. It returns the connection that took ev, if any.
func (d *Daemon) deliver(a *app, ev *event, holdable bool) *conn {
	if holdable && d.holding.Load() && d.hold(a, ev) {
		return nil
	}
	if c := a.conn.Load(); c != nil && c.sendEvent(ev) {
		return c
	}
	return d.deliverSlow(a, ev)
}

// deliverSlow is deliver when a's connection is gone or going: under the
// daemon's lock, a's state is settled.
func (d *Daemon) deliverSlow(a *app, ev *event) *conn {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c := a.conn.Load(); c != nil && c.sendEvent(ev) {
		return c
	}
	// A session that is away keeps its replies and GC events, at most
	// maxPending of them, for its resume; like the real daemon it drops
	// sent events (docs/protocol.md 8, "What survives a disconnect").
	if a.state == appDetached && ev.kind != evSent && len(a.pending) < maxPending {
		a.pending = append(a.pending, *ev)
		return nil
	}
	d.counters.dropped.Add(1)
	return nil
}
