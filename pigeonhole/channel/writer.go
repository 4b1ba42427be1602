package channel

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/katzenthin/katzenthin/pigeonhole"
)

// Writer sends messages into a write channel, crash-safely: each
// message's envelope is committed to the store before it is first sent,
// and a pending envelope is only ever sent unchanged, so no box is ever
// written with two different messages. Up to the DB's window of writes
// are in flight at once, each at its own index, encrypted on the least
// busy daemon connection. It is safe for concurrent use; messages take
// their indexes in the order Submit (or Send) is called.
type Writer struct {
	db      *DB
	name    string
	cap     pigeonhole.WriteCap
	readCap pigeonhole.ReadCap
	start   pigeonhole.MessageBoxIndex
	window  chan struct{} // a slot per write in flight

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine of the writer

	// resumed is closed when the pending writes of an earlier run are
	// acknowledged (resumeErr: or one failed); nothing new is written
	// before.
	resumed   chan struct{}
	resumeErr error

	// allocMu orders new messages: it is held while one takes its index
	// (which may ask the daemon for the index after it).
	allocMu  sync.Mutex
	alloc    pigeonhole.MessageBoxIndex // the index the next message gets
	allocSeq uint64
	tail     *write // the last message given an index: the next one commits after it

	// commitMu serialises the store commits of the channel, so that each
	// writes a state derived from the one before.
	commitMu sync.Mutex
	st       State                                 // the committed state
	pending  map[uint64]pigeonhole.MessageBoxIndex // committed, not acknowledged: seq → index

	mu       sync.Mutex
	closed   bool
	inFlight map[*Write]struct{}
	stalled  map[uint64]Record // pending records whose write failed in this run
}

// prepared is a message ready to commit: its record, and the index
// after its last box.
type prepared struct {
	rec Record
	end pigeonhole.MessageBoxIndex
}

// write is one message on its way through encryption and commit.
type write struct {
	seq  uint64
	at   pigeonhole.MessageBoxIndex
	prev *write
	// settled is closed when the message is committed (committed true)
	// or will never be.
	settled   chan struct{}
	committed bool
}

func newWriter(db *DB, st State, recs []Record) *Writer {
	ctx, cancel := context.WithCancel(context.Background())
	w := &Writer{
		db:       db,
		name:     st.Name,
		cap:      st.WriteCap,
		readCap:  st.ReadCap,
		start:    st.Start,
		window:   make(chan struct{}, db.opts.window),
		ctx:      ctx,
		cancel:   cancel,
		resumed:  make(chan struct{}),
		alloc:    st.End,
		allocSeq: st.EndSeq,
		st:       st,
		pending:  make(map[uint64]pigeonhole.MessageBoxIndex),
		inFlight: make(map[*Write]struct{}),
		stalled:  make(map[uint64]Record),
	}
	for _, r := range recs {
		w.pending[r.Seq] = r.Index
		w.stalled[r.Seq] = r
	}
	return w
}

// resume sends the pending records of an earlier run again, unchanged,
// and closes resumed when they are acknowledged.
func (w *Writer) resume() {
	if len(w.stalled) == 0 {
		close(w.resumed)
		return
	}
	ops := w.resendStalled()
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		var first error
		for _, op := range ops {
			if err := op.Err(); err != nil && first == nil {
				first = fmt.Errorf("channel: a pending write of an earlier run failed: %w", err)
			}
		}
		w.resumeErr = first
		close(w.resumed)
	}()
}

// resendStalled sends every stalled pending record again, with the
// writer's context (they end at Close), and returns their Writes.
func (w *Writer) resendStalled() []*Write {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	recs := slices.SortedFunc(maps.Values(w.stalled), func(a, b Record) int { return cmpSeq(a.Seq, b.Seq) })
	w.stalled = make(map[uint64]Record)
	ops := make([]*Write, 0, len(recs))
	for _, r := range recs { // in index order
		op := &Write{seq: r.Seq, done: make(chan struct{})}
		w.inFlight[op] = struct{}{}
		ops = append(ops, op)
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			w.finish(op, r, w.send(w.ctx, r))
		}()
	}
	return ops
}

// Name returns the channel's name.
func (w *Writer) Name() string { return w.name }

// ReadCap returns the read cap of the channel's stream; with Start it
// is what a reader needs (ImportReader).
func (w *Writer) ReadCap() pigeonhole.ReadCap { return w.readCap }

// Start returns the index the channel began at.
func (w *Writer) Start() pigeonhole.MessageBoxIndex { return w.start }

// NextSeq returns the sequence number the next Submit will give its
// message: one more than the number of messages committed so far, in
// this run or earlier ones (the first message is 1). Right after the
// channel is opened, every message before it is committed and will be
// delivered, so an application that crashed resumes with the message of
// this number.
func (w *Writer) NextSeq() uint64 {
	w.allocMu.Lock()
	defer w.allocMu.Unlock()
	return w.allocSeq
}

// State returns the channel's committed state (the durable next index
// and sequence numbers). It holds the write cap and formats as
// redacted.
func (w *Writer) State() State {
	w.commitMu.Lock()
	defer w.commitMu.Unlock()
	return w.st
}

// Write is a message handed to Submit: its outcome is known when Done
// is closed.
type Write struct {
	seq  uint64
	done chan struct{}
	err  error
}

// Seq returns the message's sequence number in the channel.
func (op *Write) Seq() uint64 { return op.seq }

// Done is closed when the write ended: acknowledged by the courier, or
// failed (Err).
func (op *Write) Done() <-chan struct{} { return op.done }

// Err waits for the write to end and returns its error: nil when the
// courier acknowledged it. A write that fails after its envelope was
// committed stays pending in the store; Flush sends it again, and so
// does the next open of the channel.
func (op *Write) Err() error {
	<-op.done
	return op.err
}

// Wait waits for the write to end, or for ctx to end (the write goes
// on), and returns its error.
func (op *Write) Wait(ctx context.Context) error {
	select {
	case <-op.done:
		return op.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Submit takes the next index for msg (1 to the daemon's
// MaxPlaintextPayloadLength bytes; an empty, non-nil one is a tombstone,
// which deletes the box for good) and returns once a slot of the window
// is free and the index is taken; encryption, commit and write go on in
// the background, bounded by ctx, and the returned Write tells how they
// ended. If the message fails before it is committed, nothing of it was
// sent and its index is free again; every message submitted after it
// fails too, with ErrAborted: submit them again, in order.
//
// The first Submit after the channel is opened waits until the pending
// writes of the earlier run are acknowledged.
func (w *Writer) Submit(ctx context.Context, msg []byte) (*Write, error) {
	if msg == nil {
		return nil, fmt.Errorf("%w: nil message (a tombstone is an empty, non-nil one)", pigeonhole.ErrInvalidRequest)
	}
	msg = append([]byte{}, msg...) // the caller may reuse it once Submit returns
	return w.submit(ctx, func(ctx context.Context, at *pigeonhole.MessageBoxIndex) (pigeonhole.MessageBoxIndex, error) {
		return w.nextIndex(ctx, at)
	}, func(ctx context.Context, wr *write) (prepared, error) {
		p, release, err := w.db.pool.local()
		if err != nil {
			return prepared{}, err
		}
		defer release()
		env, err := p.EncryptWrite(ctx, &w.cap, &wr.at, msg)
		if err != nil {
			return prepared{}, err
		}
		return prepared{Record{Seq: wr.seq, Index: wr.at, Envelope: &env}, env.Next}, nil
	})
}

// Send is Submit, then waits for the write to end: nil once the courier
// acknowledged it.
func (w *Writer) Send(ctx context.Context, msg []byte) error {
	op, err := w.Submit(ctx, msg)
	if err != nil {
		return err
	}
	return op.Wait(ctx)
}

// nextIndex asks the least busy connection for the index after at.
func (w *Writer) nextIndex(ctx context.Context, at *pigeonhole.MessageBoxIndex) (pigeonhole.MessageBoxIndex, error) {
	p, release, err := w.db.pool.local()
	if err != nil {
		return pigeonhole.MessageBoxIndex{}, err
	}
	defer release()
	return p.NextIndex(ctx, at)
}

// submit runs a message through the writer: advance (called with the
// message's index, under allocMu) returns the index after the message;
// prepare builds its record (no store record yet: a crash leaves the
// index free). Then, in order after the message before it, the record is
// committed, sent and acknowledged.
func (w *Writer) submit(ctx context.Context, advance func(context.Context, *pigeonhole.MessageBoxIndex) (pigeonhole.MessageBoxIndex, error), prepare func(context.Context, *write) (prepared, error)) (*Write, error) {
	select {
	case <-w.resumed:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-w.ctx.Done():
		return nil, ErrClosed
	}
	if w.resumeErr != nil {
		return nil, w.resumeErr
	}
	select {
	case w.window <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-w.ctx.Done():
		return nil, ErrClosed
	}
	release := func() { <-w.window }

	// The write's context ends with ctx or at Close.
	opCtx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(w.ctx, cancel)
	done := func() { stop(); cancel(); release() }

	w.allocMu.Lock()
	wr := &write{seq: w.allocSeq, at: w.alloc, prev: w.tail, settled: make(chan struct{})}
	next, err := advance(opCtx, &wr.at)
	if err != nil {
		w.allocMu.Unlock()
		done()
		return nil, err
	}
	w.alloc, w.allocSeq, w.tail = next, wr.seq+1, wr
	w.allocMu.Unlock()

	op := &Write{seq: wr.seq, done: make(chan struct{})}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		// Nothing is encrypted yet: settle as failed so that what
		// follows aborts, and free the index.
		w.settle(wr, errors.New("closed"), prepared{})
		done()
		return nil, ErrClosed
	}
	w.inFlight[op] = struct{}{}
	w.wg.Add(1)
	w.mu.Unlock()
	go func() {
		defer w.wg.Done()
		defer done()
		pr, err := prepare(opCtx, wr)
		if err = w.settle(wr, err, pr); err != nil {
			w.finishUncommitted(op, err)
			return
		}
		w.finish(op, pr.rec, w.send(opCtx, pr.rec))
	}()
	return op, nil
}

// settle commits rec once the message before wr has settled: the
// records of a channel are committed in index order, so the committed
// messages are always a prefix of the indexes given out. If wr cannot
// be committed (prepErr, an earlier message failed, or the commit
// failed), the next index to give out goes back to wr's, unless an
// earlier message did that already.
func (w *Writer) settle(wr *write, prepErr error, pr prepared) error {
	defer close(wr.settled)
	prevOK := true
	if wr.prev != nil {
		<-wr.prev.settled // bounded: the first unsettled message ends with its context
		prevOK = wr.prev.committed
	}
	err := prepErr
	if !prevOK {
		wr.prev = nil
		return ErrAborted
	}
	if err == nil {
		err = w.commitPending(pr)
	}
	if err != nil {
		w.allocMu.Lock()
		w.alloc, w.allocSeq, w.tail = wr.at, wr.seq, wr.prev
		w.allocMu.Unlock()
		wr.prev = nil
		return err
	}
	wr.committed = true
	wr.prev = nil // let the chain be collected
	return nil
}

// commitPending commits pr's record as a pending write: the channel's
// next free index moves past it in the same transaction.
func (w *Writer) commitPending(pr prepared) error {
	w.commitMu.Lock()
	defer w.commitMu.Unlock()
	rec := pr.rec
	next := w.st
	next.End, next.EndSeq = pr.end, rec.Seq+1
	if err := w.db.store.Commit(context.Background(), w.name, Change{State: &next, Put: []Record{rec}}); err != nil {
		return fmt.Errorf("channel: committing message %d: %w", rec.Seq, err)
	}
	w.st = next
	w.pending[rec.Seq] = rec.Index
	return nil
}

// commitAck drops the pending record seq and moves the durable next
// index to the lowest one not acknowledged, in one transaction.
func (w *Writer) commitAck(seq uint64) error {
	w.commitMu.Lock()
	defer w.commitMu.Unlock()
	at, ok := w.pending[seq]
	if !ok {
		return nil
	}
	delete(w.pending, seq)
	next := w.st
	next.Next, next.NextSeq = next.End, next.EndSeq
	for s, i := range w.pending {
		if s < next.NextSeq {
			next.Next, next.NextSeq = i, s
		}
	}
	if err := w.db.store.Commit(context.Background(), w.name, Change{State: &next, Delete: []uint64{seq}}); err != nil {
		w.pending[seq] = at
		return fmt.Errorf("channel: message %d was written, but recording it failed (it is sent again, unchanged, at the next open): %w", seq, err)
	}
	w.st = next
	return nil
}

// send sends a committed record: its envelope, or its copy command.
func (w *Writer) send(ctx context.Context, rec Record) error {
	p, release, err := w.db.pool.start()
	if err != nil {
		return err
	}
	defer release()
	if rec.CopyCap != nil {
		return p.Copy(ctx, rec.CopyCap)
	}
	return p.Write(ctx, &w.cap, *rec.Envelope)
}

// finish ends a committed write: on success the record is dropped (the
// acknowledgement committed); on failure it stays, stalled, for Flush or
// the next open.
func (w *Writer) finish(op *Write, rec Record, err error) {
	if err == nil {
		err = w.commitAck(rec.Seq)
	} else if w.ctx.Err() != nil {
		err = fmt.Errorf("%w (message %d stays pending: %v)", ErrClosed, rec.Seq, err)
	}
	w.mu.Lock()
	if err != nil && !w.closed {
		if _, ok := w.pendingSeq(rec.Seq); ok {
			w.stalled[rec.Seq] = rec
		}
	}
	delete(w.inFlight, op)
	w.mu.Unlock()
	op.err = err
	close(op.done)
}

func (w *Writer) pendingSeq(seq uint64) (pigeonhole.MessageBoxIndex, bool) {
	w.commitMu.Lock()
	defer w.commitMu.Unlock()
	at, ok := w.pending[seq]
	return at, ok
}

// finishUncommitted ends a write that was never committed.
func (w *Writer) finishUncommitted(op *Write, err error) {
	if w.ctx.Err() != nil && !errors.Is(err, ErrAborted) {
		err = fmt.Errorf("%w: %v", ErrClosed, err)
	}
	w.mu.Lock()
	delete(w.inFlight, op)
	w.mu.Unlock()
	op.err = err
	close(op.done)
}

// Flush waits until every message submitted so far has ended, sends
// again the committed ones whose write failed in this run, and waits
// for those too (they go on after ctx ends, until they end or Close).
// It returns nil when every committed message is acknowledged, else the
// first error.
func (w *Writer) Flush(ctx context.Context) error {
	select {
	case <-w.resumed:
	case <-ctx.Done():
		return ctx.Err()
	}
	var first error
	wait := func(ops []*Write) {
		for _, op := range ops {
			if err := op.Wait(ctx); err != nil && first == nil {
				first = err
			}
		}
	}
	w.mu.Lock()
	ops := make([]*Write, 0, len(w.inFlight))
	for op := range w.inFlight {
		ops = append(ops, op)
	}
	w.mu.Unlock()
	wait(ops)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	first = nil // what failed is sent again
	wait(w.resendStalled())
	if first == nil {
		if w.ctx.Err() != nil {
			return ErrClosed
		}
		if n := w.pendingCount(); n > 0 {
			return fmt.Errorf("channel: %d messages still pending", n)
		}
	}
	return first
}

func (w *Writer) pendingCount() int {
	w.commitMu.Lock()
	defer w.commitMu.Unlock()
	return len(w.pending)
}

// Close ends the channel: writes in flight end with ErrClosed, and their
// pending records stay in the store, to be sent again at the next open.
// It waits for the writer's goroutines.
func (w *Writer) Close() error {
	w.close()
	w.db.unregister(w.name, w)
	return nil
}

func (w *Writer) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.cancel()
	w.wg.Wait()
}
