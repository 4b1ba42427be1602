package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"sync"
	"time"
)

// maxBatch bounds one write: a larger batch is written in several calls,
// and the batch buffer stays about this size.
const maxBatch = 256 << 10

// errWriterStopped: the connection ended; the frame was not queued.
var errWriterStopped = errors.New("client: connection ended")

// errWriteTimeout ends a connection whose daemon stopped reading: a
// write did not finish within WithWriteTimeout.
var errWriteTimeout = errors.New("client: write timeout")

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
// gives up while its frame is being written waits for the write's
// outcome instead of returning before its bytes leave (no ghost sends).
// It allocates only when somebody waits.
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

// writer is a connection's one writer goroutine and its bounded queue,
// in the shape of grpc-go's loopy writer and nats.go's flusher: callers
// queue their attempts and never write; the writer blocks until there is
// work, takes everything queued, encodes the frames still wanted into
// one buffer and writes it under a deadline, and repeats. Under load many
// frames go out in one system call, with no timers. A caller who finds
// the queue full waits for a round to take it, within its context. Safe
// for concurrent use.
type writer struct {
	nc        net.Conn
	timeout   time.Duration
	maxFrames int
	maxBytes  int
	kick      chan struct{} // one slot: "there is work"
	rounds    rounds

	mu      sync.Mutex
	queue   []queueEntry
	bytes   int
	space   chan struct{} // closed when a round takes the queue; nil if nobody waits
	stopped bool
	dead    chan struct{} // closed by stop

	// The writer goroutine's own.
	round     uint64
	spare     []queueEntry
	buf       []byte
	committed []*call
	controls  []chan struct{}
	op        sendOp
}

func newWriter(nc net.Conn, o *options) *writer {
	return &writer{
		nc:        nc,
		timeout:   o.writeTimeout,
		maxFrames: o.writeQueueFrames,
		maxBytes:  o.writeQueueBytes,
		kick:      make(chan struct{}, 1),
		dead:      make(chan struct{}),
	}
}

// enqueue queues attempt n of cl, whose frame counts size bytes. When the queue is full it waits within ctx; it returns ctx's
// error if that ends first, errWriterStopped if the connection ends, and
// nil once the entry is queued.
func (w *writer) enqueue(ctx context.Context, cl *call, n uint32, size int) error {
	w.mu.Lock()
	for !w.stopped && len(w.queue) > 0 &&
		(len(w.queue) >= w.maxFrames || w.bytes+size > w.maxBytes) {
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
	w.queue = append(w.queue, queueEntry{cl: cl, attempt: n})
	w.bytes += size
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

// writeLoop runs rounds until ctx ends or a write fails (a timed-out
// write included: the connection then ends like a socket loss).
func (w *writer) writeLoop(ctx context.Context) error {
	defer w.stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-w.kick:
		}
		// Woken, the writer would run as soon as the caller that kicked
		// it parks, and carry one frame per system call under load.
		// Yielding once lets the callers that are ready queue theirs.
		runtime.Gosched()
		for {
			entries := w.take()
			if len(entries) == 0 {
				break
			}
			if err := w.runRound(entries); err != nil {
				return err
			}
		}
	}
}

// take empties the queue and returns what was in it.
func (w *writer) take() []queueEntry {
	w.mu.Lock()
	defer w.mu.Unlock()
	entries := w.queue
	if len(entries) == 0 {
		return nil
	}
	// Two arrays take turns: callers queue into one while the round
	// writes the other.
	w.queue, w.bytes = w.spare[:0], 0
	if w.space != nil {
		close(w.space)
		w.space = nil
	}
	return entries
}

// runRound writes every frame in entries that is still wanted, in as
// few writes as maxBatch allows, then records the outcome in the calls
// it carried.
func (w *writer) runRound(entries []queueEntry) error {
	w.round++
	buf, committed, controls := w.buf[:0], w.committed[:0], w.controls[:0]
	var err error
	for i := range entries {
		e := &entries[i]
		if e.cl == nil {
			buf = append(buf, e.control...)
			controls = append(controls, e.written)
		} else if w.commit(&buf, e) {
			committed = append(committed, e.cl)
		}
		if len(buf) >= maxBatch {
			if err = w.write(buf); err != nil {
				// The connection ends: the entries not committed stay in
				// stQueued, for the connection's end to settle.
				break
			}
			buf = buf[:0]
		}
	}
	if err == nil && len(buf) > 0 {
		err = w.write(buf)
	}
	w.settle(committed, err)
	if err == nil {
		for _, ch := range controls {
			close(ch)
		}
	}
	clear(controls)
	clear(entries)
	w.spare = entries[:0]
	w.buf, w.committed, w.controls = buf[:0], committed[:0], controls[:0]
	return err
}

// commit encodes e's attempt into buf if its call is still queued for
// it: the call moves to stWriting, part of this round. It reports false
// when the caller took the attempt back or the call moved on.
func (w *writer) commit(buf *[]byte, e *queueEntry) bool {
	cl := e.cl
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.state != stQueued || cl.att.n != e.attempt {
		return false
	}
	*buf = cl.appendFrameLocked(*buf, &w.op)
	cl.state = stWriting
	cl.att.round = w.round
	// From here on a result may come from the daemon: it is accepted
	// from this daemon session.
	cl.session, cl.written = cl.att.conn.session, true
	return true
}

// write writes buf under the write deadline.
func (w *writer) write(buf []byte) error {
	if err := w.nc.SetWriteDeadline(time.Now().Add(w.timeout)); err != nil {
		return err
	}
	_, err := w.nc.Write(buf)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("%w after %v: %w", errWriteTimeout, w.timeout, err)
	}
	return err
}

// settle records the outcome of the round's write in its calls: after a
// successful write they are written (a no-reply send is then done);
// after a failed one they stay maybe written, which the connection's end
// settles. Either way the round is over for callers waiting on it.
func (w *writer) settle(committed []*call, err error) {
	for i, cl := range committed {
		committed[i] = nil
		cl.mu.Lock()
		if cl.state == stWriting {
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
	w.queue = nil
	close(w.dead)
}
