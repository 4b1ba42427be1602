package client

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/katzenthin/katzenthin/service"
	"github.com/katzenthin/katzenthin/wire"
)

// callKind says what a call sends and how it reacts to a lost connection
// (the table in DESIGN.md).
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
	// stReady: the caller owns the call. It is preparing an attempt or
	// waiting for a connection; no writer holds its frame.
	stReady callState = iota
	// stQueued: the attempt's frame waits in the writer queue of sess.
	// That writer may take it; the caller may take it back.
	stQueued
	// stWriting: the writer copied the frame into the batch it is
	// writing (writer, round). The outcome of that write decides what follows.
	stWriting
	// stWritten: the batch's write returned. The daemon may have the
	// request; only the resume rules may send it again.
	stWritten
	// stSent: the daemon's sent event for the attempt came.
	stSent
	// stRetry: the attempt died unwritten, or a resume rule says to send
	// again: the caller starts a new attempt.
	stRetry
	// stDone: terminal. The outcome is set; nothing moves the call again.
	stDone
)

// call is one pending request and its future. The caller, the writer, the
// reader and the supervisor all move it, each only under mu and only
// along the edges DESIGN.md allows. The writer's moves are made by
// whoever runs the writer's round: its goroutine, or a lone caller
// (writer.enqueue); one at a time.
type call struct {
	mu    sync.Mutex
	state callState
	kind  callKind
	// solo: no other Send was in progress when this one began; it writes
	// its own frame when nobody is writing (see writer.enqueue).
	solo bool

	// attempt numbers the call's attempts; a writer queue entry names the
	// attempt it was queued for, and the writer takes the frame only if
	// the call is still queued for that attempt.
	attempt uint32
	sess    *session // the connection of the current attempt
	frame   []byte   // the current attempt's encoded request (stQueued)
	buf     *[]byte  // pooled storage behind frame
	writer  *writer  // the writer writing the frame (stWriting)
	round   uint64   // that writer's round carrying the frame

	// epoch is the daemon session (see Client.epoch) the call was last
	// written in; results are accepted only from that session.
	epoch   uint64
	written bool // written at least once in epoch
	// suspended: written on a v0.0.99 connection that was lost; the next
	// handshake (resumed or not) decides its fate.
	suspended bool
	// refs counts who may still touch the call: its caller (from getCall
	// to release) and each writer queue entry for it (from enqueue until
	// the writer has settled or dropped it). The last one pools it.
	refs atomic.Int32

	// What the call sends.
	id      futureKey // the call's ID: SURB ID, message ID or query ID
	cur     futureKey // the key whose sent event belongs to the current attempt
	msgID   wire.MessageID
	dst     service.Destination
	payload []byte
	query   *queryCall // kindQuery only

	// v0.0.99 reliable sends: every transmission has its own SURB ID,
	// all in the futures map; the first reply to any of them wins.
	txIDs   []futureKey
	timedTx int  // retransmissions the reply horizon caused
	newTx   bool // the next attempt is a new transmission
	notify  bool // wake the caller on sent events (client-side retransmission)

	// The outcome, set on the move to stDone (and sentAt/eta by the
	// sent event).
	reply    Reply
	replyBuf *[]byte // pooled storage behind reply.Payload, until the caller copies it
	err      error
	sentAt   time.Time
	eta      time.Duration
	// sentSeen is when the current transmission's sent event came
	// (client-side retransmission only).
	sentSeen time.Time

	wake chan struct{} // one slot: "look at the state again"
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
	cl.takeBackLocked()
	cl.state = stDone
	cl.err = err
	cl.signal()
	return true
}

// retryLocked moves the call to stRetry and wakes its caller.
func (cl *call) retryLocked() {
	cl.takeBackLocked()
	cl.state = stRetry
	cl.signal()
}

// takeBackLocked releases the frame of a call leaving stQueued: the
// writer checks the state before it reads a frame, so a queued frame is
// anyone's to drop under the lock. In stWriting the writer owns the frame
// and drops it after copying; in stReady and stRetry the caller may be
// encoding into it and drops it itself.
func (cl *call) takeBackLocked() {
	if cl.state == stQueued {
		cl.dropFrameLocked()
	}
}

// dropFrameLocked releases the attempt's frame: a call that no writer
// will write holds no frame.
func (cl *call) dropFrameLocked() {
	if cl.buf != nil {
		if cap(cl.frame) > cap(*cl.buf) {
			// The frame outgrew the pooled buffer (a large payload):
			// pool the grown one, so that the next call need not grow.
			*cl.buf = cl.frame
		}
		if cap(*cl.buf) <= maxPooledFrame {
			*cl.buf = (*cl.buf)[:0]
			framePool.Put(cl.buf)
		}
		cl.buf = nil
	}
	cl.frame = nil
}

// frameBuf returns an empty pooled buffer for the next attempt's frame.
// Only the caller calls it, in stReady or stRetry.
func (cl *call) frameBuf() []byte {
	if cl.buf == nil {
		cl.buf = framePool.Get().(*[]byte)
	}
	return (*cl.buf)[:0]
}

// framePool recycles frame buffers: the writer copies a frame into its
// batch and drops it at once, so a call parked for its reply holds none.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// maxPooledFrame keeps buffers that grew large out of the pool.
const maxPooledFrame = 16 << 10

// callPool recycles calls of the plain kinds. A call goes back only when
// nothing can reach it: its caller has released it (so it is done and out
// of the futures map) and no writer holds it (unref).
var callPool = sync.Pool{New: func() any { return &call{wake: make(chan struct{}, 1)} }}

func getCall(kind callKind) *call {
	cl := callPool.Get().(*call)
	cl.kind = kind
	cl.refs.Store(1)
	return cl
}

// release drops the caller's reference. The caller has removed cl from
// the futures map after its outcome.
func (cl *call) release() { cl.unref() }

// unref drops one reference; whoever drops the last one returns cl to the
// pool. Counting, rather than checking the call's state when its caller
// returns, matters under load: a reply often comes before the writer has
// settled the round that carried its request, and a call the writer still
// held was left to the GC (157,000 of 200,000 calls at c1024 with
// 2,000-byte payloads).
func (cl *call) unref() {
	if cl.refs.Add(-1) != 0 || cl.kind == kindQuery {
		return
	}
	wake := cl.wake
	select {
	case <-wake:
	default:
	}
	txIDs := cl.txIDs[:0]
	*cl = call{wake: wake, txIDs: txIDs}
	callPool.Put(cl)
}
