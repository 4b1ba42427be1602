package client

import (
	"sync"
	"time"

	"github.com/katzenthin/katzenthin/service"
	"github.com/katzenthin/katzenthin/wire"
)

// callKind says what a call sends and how it reacts to a lost connection
// (the tables in DESIGN.md).
type callKind uint8

const (
	kindSURB     callKind = iota // Send: its SURB dies with the daemon's state
	kindReliable                 // SendReliable: re-sent after a loss, retransmitted by the client on v0.0.99
	kindNoReply                  // SendNoReply: done once written
	kindQuery                    // a v0.0.99 request with a query ID: documents, Pigeonhole
)

// callState is where a call is in its life. DESIGN.md draws the machine
// and says which goroutine may make each move; every move happens under
// call.mu, so each call ends exactly once.
type callState uint8

const (
	// stIdle: no attempt is on its way; the caller starts the next one
	// (or is starting it, or waits for a connection).
	stIdle callState = iota
	// stQueued: the attempt waits in its connection's write queue. The
	// writer takes it only in this state and only for this attempt.
	stQueued
	// stWriting: the attempt is in the write the writer is making (round
	// att.round); that write's outcome decides what follows.
	stWriting
	// stWritten: the write returned. The daemon may have the request;
	// only the loss and resume tables may send it again.
	stWritten
	// stDone: terminal. The outcome is set; nothing moves the call again.
	stDone
)

// attempt is one try of a call on one connection: a value, replaced as a
// whole by the next attempt (grpc-go's csAttempt).
type attempt struct {
	n     uint32      // numbers the call's attempts: a queue entry names the one it is for
	conn  *connection // the connection it was queued on
	key   futureKey   // the ID it is sent with: its sent event and reply carry it
	round uint64      // the writer's round that carries it (stWriting)
	// sent: the daemon's sent event for this attempt came (at sentSeen).
	sent     bool
	sentSeen time.Time
	// notify: a v0.0.99 reliable send; the client retransmits at the
	// reply horizon, so the caller is woken by the sent event.
	notify bool
}

// call is one request and its future. The caller, the writer, the reader
// and the supervisor move it, each only under mu and only along the
// edges DESIGN.md allows.
type call struct {
	mu    sync.Mutex
	state callState
	kind  callKind
	att   attempt

	// attempts counts the attempts handed to a connection (for the
	// tracer's CallInfo.Attempts).
	attempts int
	// session is the daemon session (Client.session) the call was last
	// written in; results are accepted only from it.
	session uint64
	written bool // written at least once
	// suspended: written on a v0.0.99 connection that was lost; the next
	// handshake (resumed or not) decides its fate. lostErr says what
	// ended that connection.
	suspended bool
	lostErr   error

	// What the call sends.
	id      futureKey // the call's ID: SURB ID, message ID or query ID
	dst     service.Destination
	payload []byte
	query   *queryCall // kindQuery only

	// v0.0.99 reliable sends: every transmission has its own SURB ID,
	// all in the futures map; the first reply to any of them wins.
	txIDs   []futureKey
	timedTx int  // retransmissions the reply horizon caused
	newTx   bool // the next attempt is a new transmission

	// The outcome, set on the move to stDone (SentAt and ETA by the sent
	// event). The reader appends the reply's payload to into.
	into  []byte
	reply Reply
	err   error

	wake chan struct{} // one slot: "look at the state again"
}

func newCall(kind callKind) *call {
	return &call{kind: kind, wake: wakePool.Get().(chan struct{})}
}

// wakePool recycles the calls' wake channels: without it a Send makes
// three allocations (the call, its channel, the reply's payload), one
// over the budget BENCHMARKS.md sets. A channel is safe to recycle once its call is
// done: nothing signals a done call (every move that signals starts from
// a state other than stDone), and releaseWake takes the channel away
// from the call under its lock, so even a stale look at the call finds
// none to signal.
var wakePool = sync.Pool{New: func() any { return make(chan struct{}, 1) }}

// releaseWake recycles cl's wake channel. The caller calls it once cl is
// done and out of the futures map.
func (cl *call) releaseWake() {
	cl.mu.Lock()
	w := cl.wake
	cl.wake = nil
	cl.mu.Unlock()
	select {
	case <-w:
	default:
	}
	wakePool.Put(w)
}

// signal wakes the caller without blocking; wakes coalesce.
func (cl *call) signal() {
	select {
	case cl.wake <- struct{}{}:
	default:
	}
}

// finishLocked moves the call to stDone with err and wakes its caller. It
// reports false when the call was already done. The caller holds cl.mu.
func (cl *call) finishLocked(err error) bool {
	if cl.state == stDone {
		return false
	}
	cl.state = stDone
	cl.err = err
	cl.signal()
	return true
}

// retryLocked ends the current attempt: the caller starts another. A
// queued entry of the old attempt is skipped by the writer.
func (cl *call) retryLocked() {
	cl.state = stIdle
	cl.signal()
}

// sendKind is how the current attempt goes on the wire: a v0.0.99
// reliable send is a plain SURB send of the client's own transmission.
func (cl *call) sendKind() callKind {
	if cl.kind == kindReliable && cl.att.notify {
		return kindSURB
	}
	return cl.kind
}

// frameOverhead bounds what a send's frame adds to its payload and
// queue ID, for the write queue's byte count.
const frameOverhead = 256

// size is the attempt's frame size as the write queue counts it.
func (cl *call) size() int {
	if cl.query != nil {
		return len(cl.query.frame)
	}
	return len(cl.payload) + len(cl.dst.Queue) + frameOverhead
}

// appendFrameLocked appends the current attempt's request to buf; the
// writer calls it while it commits the attempt. op is the writer's
// scratch space.
func (cl *call) appendFrameLocked(buf []byte, op *sendOp) []byte {
	if cl.query != nil {
		return append(buf, cl.query.frame...)
	}
	op.kind, op.id, op.dst, op.payload = cl.sendKind(), cl.att.key, &cl.dst, cl.payload
	buf = cl.att.conn.d.appendSend(buf, op)
	op.dst, op.payload = nil, nil // keep no caller memory
	return buf
}

// msgID is a reliable send's message ID: the call's ID.
func (cl *call) msgID() wire.MessageID { return cl.id }
