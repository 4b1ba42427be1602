package client

import (
	"context"
	"errors"
	"net"
	"runtime"
	"sync"
	"time"
)

// maxBatch bounds one write: a larger batch is written in several calls,
// and the batch buffer stays about this size.
const maxBatch = 256 << 10

// errWriterStopped: the connection ended; the frame was not queued.
var errWriterStopped = errors.New("client: connection ended")

// queueEntry is one frame waiting for the writer: a call's attempt, or a
// control frame (thin close, Pigeonhole cancels) that no call waits for.
type queueEntry struct {
	cl      *call
	attempt uint32
	control []byte        // a control frame, written as is
	written chan struct{} // closed once a control frame is written
}

// rounds numbers the writer's rounds (one take of the queue and the
// writes that carry it) and says which have ended, so that a caller who
// gives up while its frame is being written waits for the verdict instead
// of returning before its bytes leave (no ghost sends). It allocates only
// when somebody waits: a round costs no garbage.
type rounds struct {
	mu       sync.Mutex
	finished uint64        // the last round whose writes have returned
	wake     chan struct{} // closed when a round ends; nil while nobody waits
}

// wait returns once round r has ended.
func (rs *rounds) wait(r uint64) {
	rs.mu.Lock()
	for rs.finished < r {
		if rs.wake == nil {
			rs.wake = make(chan struct{})
		}
		wake := rs.wake
		rs.mu.Unlock()
		<-wake
		rs.mu.Lock()
	}
	rs.mu.Unlock()
}

// finish records that round r has ended and wakes its waiters.
func (rs *rounds) finish(r uint64) {
	rs.mu.Lock()
	rs.finished = r
	wake := rs.wake
	rs.wake = nil
	rs.mu.Unlock()
	if wake != nil {
		close(wake)
	}
}

// writer is a connection's single writer. Callers queue frames; the
// writer wakes, takes the whole queue, copies every frame still wanted
// into one buffer and writes it with one call under a deadline: under load
// many frames go out in one system call, with no timers. The queue is
// bounded: a caller who finds it full waits, within its context, for the
// writer to take it. Safe for concurrent use.
type writer struct {
	conn      net.Conn
	timeout   time.Duration
	maxFrames int
	maxBytes  int
	kick      chan struct{} // one slot: "the queue is not empty"

	rounds rounds
	round  uint64 // the current round's number; the writer goroutine's

	mu      sync.Mutex
	queue   []queueEntry
	bytes   int
	space   chan struct{} // closed when the writer takes the queue; nil if nobody waits
	stopped bool
	dead    chan struct{} // closed by stop
}

func newWriter(conn net.Conn, o *options) *writer {
	return &writer{
		conn:      conn,
		timeout:   o.writeTimeout,
		maxFrames: o.writeQueueFrames,
		maxBytes:  o.writeQueueBytes,
		kick:      make(chan struct{}, 1),
		dead:      make(chan struct{}),
	}
}

// enqueue queues the call's current attempt (stQueued, frame set). When
// the queue is full it waits within ctx; it returns ctx's error if that
// ends first, errWriterStopped if the connection ends, and nil once the
// entry is queued.
func (w *writer) enqueue(ctx context.Context, cl *call, attempt uint32, n int) error {
	w.mu.Lock()
	for !w.stopped && len(w.queue) > 0 &&
		(len(w.queue) >= w.maxFrames || w.bytes+n > w.maxBytes) {
		if w.space == nil {
			w.space = make(chan struct{})
		}
		space := w.space
		w.mu.Unlock()
		select {
		case <-space:
		case <-w.dead:
		case <-ctx.Done():
			return ctx.Err()
		}
		w.mu.Lock()
	}
	if w.stopped {
		w.mu.Unlock()
		return errWriterStopped
	}
	cl.queued.Add(1)
	w.queue = append(w.queue, queueEntry{cl: cl, attempt: attempt})
	w.bytes += n
	w.mu.Unlock()
	w.wakeUp()
	return nil
}

// enqueueControl queues a frame that no call waits for. Control frames
// never wait for room: a cancel must not queue behind the sends it
// competes with. It returns a channel closed once the frame is written,
// or false if the connection has ended.
func (w *writer) enqueueControl(frame []byte) (<-chan struct{}, bool) {
	written := make(chan struct{})
	w.mu.Lock()
	if w.stopped {
		w.mu.Unlock()
		return nil, false
	}
	w.queue = append(w.queue, queueEntry{control: frame, written: written})
	w.bytes += len(frame)
	w.mu.Unlock()
	w.wakeUp()
	return written, true
}

func (w *writer) wakeUp() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// writeLoop writes queued frames until ctx ends or a write fails (a
// timed-out write included: the connection then ends like a socket loss).
func (w *writer) writeLoop(ctx context.Context) error {
	defer w.stop()
	var (
		spare     []queueEntry
		buf       []byte
		committed []*call
		controls  []chan struct{}
	)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-w.kick:
		}
		// A kicked writer would otherwise run as soon as its one caller
		// parks, and write one frame per system call under load. Yielding
		// once lets the callers that are ready queue theirs first.
		runtime.Gosched()
		w.mu.Lock()
		entries := w.queue
		w.queue, w.bytes = spare[:0], 0
		if w.space != nil {
			close(w.space)
			w.space = nil
		}
		w.mu.Unlock()

		w.round++
		buf, committed, controls = buf[:0], committed[:0], controls[:0]
		var err error
		for i := range entries {
			e := &entries[i]
			if e.cl == nil {
				buf, err = w.appendOrFlush(buf, e.control)
				controls = append(controls, e.written)
			} else {
				var ok bool
				buf, ok, err = w.commit(buf, e)
				if ok {
					committed = append(committed, e.cl)
				}
			}
			*e = queueEntry{}
			if err != nil {
				break
			}
		}
		spare = entries
		if err == nil && len(buf) > 0 {
			err = w.write(buf)
		}
		w.settleBatch(committed, err)
		if err != nil {
			return err
		}
		for _, ch := range controls {
			close(ch)
		}
	}
}

// commit copies e's frame into buf if its call is still queued for e's
// attempt: the call moves to stWriting, part of the current round, and its frame
// is released at once. It reports false when the caller took the frame
// back or the call moved on. Bytes already in buf are written first if
// the frame would make the batch outgrow maxBatch.
func (w *writer) commit(buf []byte, e *queueEntry) ([]byte, bool, error) {
	cl := e.cl
	defer cl.queued.Add(-1)
	cl.mu.Lock()
	if len(buf) > 0 && len(buf)+len(cl.frame) > maxBatch {
		cl.mu.Unlock() // never write under a call's lock
		if err := w.write(buf); err != nil {
			return buf, false, err
		}
		buf = buf[:0]
		cl.mu.Lock()
	}
	defer cl.mu.Unlock()
	if cl.state != stQueued || cl.attempt != e.attempt {
		return buf, false, nil
	}
	buf = append(buf, cl.frame...)
	cl.dropFrameLocked()
	cl.state = stWriting
	cl.writer, cl.round = w, w.round
	// From here on a result may come from the daemon: it is accepted
	// from this daemon session.
	cl.epoch, cl.written = cl.sess.epoch, true
	return buf, true, nil
}

// appendOrFlush adds frame to buf, writing buf first when the batch would
// outgrow maxBatch, so that the buffer keeps its size.
func (w *writer) appendOrFlush(buf, frame []byte) ([]byte, error) {
	if len(buf) > 0 && len(buf)+len(frame) > maxBatch {
		if err := w.write(buf); err != nil {
			return buf, err
		}
		buf = buf[:0]
	}
	return append(buf, frame...), nil
}

// write writes buf under the write deadline.
func (w *writer) write(buf []byte) error {
	if err := w.conn.SetWriteDeadline(time.Now().Add(w.timeout)); err != nil {
		return err
	}
	_, err := w.conn.Write(buf)
	return err
}

// settleBatch records the outcome of the round's write in its calls: after
// a successful write they are written (a no-reply send is then done);
// after a failed one they stay maybe-written, which the connection's end
// settles. Either way the round is over for callers waiting on it.
func (w *writer) settleBatch(committed []*call, err error) {
	for i, cl := range committed {
		committed[i] = nil
		cl.mu.Lock()
		cl.writer = nil
		if cl.state == stWriting {
			// A failed write leaves the call maybe written: the
			// connection's end settles it.
			cl.state = stWritten
			if err == nil && cl.kind == kindNoReply {
				cl.finishLocked(nil)
			}
		}
		cl.mu.Unlock()
	}
	w.rounds.finish(w.round)
}

// stop refuses further frames. Entries still queued stay in stQueued:
// the connection's end sends their calls to another attempt.
func (w *writer) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	w.stopped = true
	for i := range w.queue {
		if cl := w.queue[i].cl; cl != nil {
			cl.queued.Add(-1)
		}
	}
	w.queue = nil
	close(w.dead)
}
