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

	mu      sync.Mutex
	queue   []queueEntry
	bytes   int
	space   chan struct{} // closed when the writer takes the queue; nil if nobody waits
	stopped bool
	dead    chan struct{} // closed by stop

	// Each socket write has a generation. A call committed to a write
	// records its generation; a caller who gives up while its frame is
	// being written waits until that write has returned, so that it never
	// returns before its bytes have gone (no ghost sends). The write
	// deadline bounds that wait.
	genMu    sync.Mutex
	finished uint64        // the latest write that has returned
	finishCh chan struct{} // closed when the next write returns; nil if nobody waits

	// The writer goroutine's own state.
	gen     uint64  // the generation of the write being built
	pending []*call // calls committed to it
	ctrl    []chan struct{}
}

func newWriter(conn net.Conn, o *options) *writer {
	return &writer{
		conn:      conn,
		timeout:   o.writeTimeout,
		maxFrames: o.writeQueueFrames,
		maxBytes:  o.writeQueueBytes,
		kick:      make(chan struct{}, 1),
		dead:      make(chan struct{}),
		gen:       1,
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
		spare []queueEntry
		buf   []byte
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

		buf = buf[:0]
		var err error
		for i := range entries {
			e := &entries[i]
			if e.cl == nil {
				if buf, err = w.flushIfFull(buf, len(e.control)); err == nil {
					buf = append(buf, e.control...)
					w.ctrl = append(w.ctrl, e.written)
				}
			} else {
				buf, err = w.commit(buf, e)
			}
			*e = queueEntry{}
			if err != nil {
				// The connection is over: the entries not reached stay
				// queued, for the connection's end to send elsewhere.
				for j := i + 1; j < len(entries); j++ {
					if cl := entries[j].cl; cl != nil {
						cl.queued.Add(-1)
					}
					entries[j] = queueEntry{}
				}
				break
			}
		}
		spare = entries
		if err == nil {
			err = w.flush(buf)
		}
		if err != nil {
			return err
		}
	}
}

// commit copies e's frame into buf if its call is still queued for e's
// attempt: the call moves to stWriting, committed to the write being
// built, and its frame is released at once. A call that its caller took
// back, or that moved on, is skipped. Bytes already in buf are written
// first if the frame would make the write outgrow maxBatch.
func (w *writer) commit(buf []byte, e *queueEntry) ([]byte, error) {
	cl := e.cl
	defer cl.queued.Add(-1)
	cl.mu.Lock()
	if n := len(cl.frame); len(buf) > 0 && len(buf)+n > maxBatch {
		cl.mu.Unlock() // never write under a call's lock
		var err error
		if buf, err = w.flushIfFull(buf, n); err != nil {
			return buf, err
		}
		cl.mu.Lock()
	}
	defer cl.mu.Unlock()
	if cl.state != stQueued || cl.attempt != e.attempt {
		return buf, nil
	}
	buf = append(buf, cl.frame...)
	cl.dropFrameLocked()
	cl.state = stWriting
	cl.wgen, cl.inWrite = w.gen, true
	// From here on a result may come from the daemon: it is accepted
	// from this daemon session.
	cl.epoch, cl.written = cl.sess.epoch, true
	w.pending = append(w.pending, cl)
	return buf, nil
}

// flushIfFull writes buf first if n more bytes would make the write
// outgrow maxBatch, so that the buffer keeps its size.
func (w *writer) flushIfFull(buf []byte, n int) ([]byte, error) {
	if len(buf) == 0 || len(buf)+n <= maxBatch {
		return buf, nil
	}
	if err := w.flush(buf); err != nil {
		return buf, err
	}
	return buf[:0], nil
}

// flush writes buf, the write of generation w.gen, under the write
// deadline, and records its outcome in the calls committed to it.
func (w *writer) flush(buf []byte) error {
	if len(buf) == 0 {
		return nil
	}
	err := w.conn.SetWriteDeadline(time.Now().Add(w.timeout))
	if err == nil {
		_, err = w.conn.Write(buf)
	}
	w.settle(err)
	w.genMu.Lock()
	w.finished = w.gen
	if w.finishCh != nil {
		close(w.finishCh)
		w.finishCh = nil
	}
	w.genMu.Unlock()
	w.gen++
	return err
}

// waitWritten blocks until the write of generation gen has returned, or
// the connection has ended.
func (w *writer) waitWritten(gen uint64) {
	for {
		w.genMu.Lock()
		if w.finished >= gen {
			w.genMu.Unlock()
			return
		}
		if w.finishCh == nil {
			w.finishCh = make(chan struct{})
		}
		ch := w.finishCh
		w.genMu.Unlock()
		select {
		case <-ch:
		case <-w.dead:
			return
		}
	}
}

// settle records the outcome of the write in its calls: after a
// successful write they are written (a no-reply send is then done);
// after a failed one they stay maybe written, which the connection's end
// settles.
func (w *writer) settle(err error) {
	for i, cl := range w.pending {
		w.pending[i] = nil
		cl.mu.Lock()
		cl.inWrite = false
		if cl.state == stWriting {
			cl.state = stWritten
			if err == nil && cl.kind == kindNoReply {
				cl.finishLocked(nil)
			}
		}
		cl.mu.Unlock()
	}
	w.pending = w.pending[:0]
	if err == nil {
		for _, ch := range w.ctrl {
			close(ch)
		}
	}
	w.ctrl = w.ctrl[:0]
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
