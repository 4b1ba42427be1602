package client

import (
	"sync"
	"sync/atomic"
	"time"
)

// callKind says how a call reacts to a lost connection.
type callKind uint8

const (
	kindSURB     callKind = iota // Send: its SURB dies with the daemon's state
	kindReliable                 // SendReliable: re-sent after reconnecting
	kindNoReply                  // SendNoReply: done once written
	kindQuery                    // DocumentForEpoch
	kindControl                  // thin close: written, never answered
)

// Frame states. A call's frame is queued for the writer, then either
// written or abandoned (its caller gave up first, or its connection
// died): whoever moves it out of queued owns what happens next.
const (
	stateIdle uint32 = iota
	stateQueued
	stateWriting
	stateWritten
	stateAbandoned
)

// resultKind says what a result tells its call.
type resultKind uint8

const (
	resultFinal   resultKind = iota // the call is over: reply or err
	resultSent                      // a sent event came (for client-side ARQ)
	resultWritten                   // the frame is on the socket
	resultResend                    // the frame never reached a live daemon: send again
)

// result is what the reader (or the connection's end) hands a call.
type result struct {
	kind    resultKind
	reply   Reply
	payload []byte // document query replies
	err     error
}

// call is one pending request: its future and its frame. The reader finds
// it by ID in the futures map; the caller waits on done. done is buffered
// so that the reader never blocks handing a result over: a result that
// does not fit is one nobody waits for any more.
type call struct {
	kind       callKind
	notifySent bool // deliver sent events too (client-side ARQ)
	state      atomic.Uint32
	frame      []byte  // the encoded request, in buf
	buf        *[]byte // pooled storage of frame; the writer recycles it
	done       chan result

	// Set by the reader under the call's shard lock.
	sentAt time.Time
	eta    time.Duration
}

// A call gets one result, and a reliable send's transmissions share a
// channel with room for stragglers. Results that do not fit are for
// nobody (deliver never blocks).
const (
	callResults     = 1
	reliableResults = 4
)

func newCall(kind callKind) *call {
	return &call{kind: kind, done: make(chan result, callResults)}
}

// framePool recycles frame buffers: a caller encodes its request into
// one, the writer copies it into its batch and puts it back, so a call
// parked for its reply holds no frame.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// maxPooledFrame keeps buffers that grew large out of the pool.
const maxPooledFrame = 16 << 10

// frameBuf returns an empty buffer to encode cl's request into.
func (cl *call) frameBuf() []byte {
	if cl.buf == nil {
		cl.buf = framePool.Get().(*[]byte)
	}
	return (*cl.buf)[:0]
}

// setFrame records the encoded request, keeping its storage for reuse.
func (cl *call) setFrame(f []byte) {
	cl.frame = f
	if cl.buf != nil {
		*cl.buf = f
	}
}

// recycleFrame is the writer's, once it has copied the frame: the caller
// does not touch the frame while the writer owns the call.
func (cl *call) recycleFrame() {
	if cl.buf != nil && cap(*cl.buf) <= maxPooledFrame {
		framePool.Put(cl.buf)
	}
	cl.buf, cl.frame = nil, nil
}

// callPool recycles calls, their result channels and frame buffers, so
// that a Send costs no allocation for them.
var callPool = sync.Pool{New: func() any { return newCall(kindSURB) }}

func getCall(kind callKind) *call {
	cl := callPool.Get().(*call)
	cl.kind = kind
	return cl
}

// release returns cl to the pool. Call it only after cl's final result
// came from the reader (which took cl out of the futures map before
// handing the result over) and cl was forgotten: then nothing else holds
// cl. The writer is done with it once its state says written; the atomic
// load orders the writer's last touch before our reuse.
func (cl *call) release() {
	if cl.kind == kindNoReply || cl.kind == kindControl || cl.notifySent ||
		cl.state.Load() != stateWritten || len(cl.done) != 0 {
		return
	}
	cl.sentAt, cl.eta = time.Time{}, 0
	cl.state.Store(stateIdle)
	callPool.Put(cl)
}

// deliver hands r to the call without blocking.
func (c *call) deliver(r result) bool {
	select {
	case c.done <- r:
		return true
	default:
		return false
	}
}

// abandon takes the frame back from the writer if it is still queued.
func (c *call) abandon() bool {
	return c.state.CompareAndSwap(stateQueued, stateAbandoned)
}
