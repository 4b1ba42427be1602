package channel

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/katzenthin/katzenthin/pigeonhole"
)

// Message is a message a Reader received. Its Seq is stable: the same
// message has the same Seq when it is handed out again after a restart.
// Data is a plaintext, a secret: the type prints its size only.
type Message struct {
	Seq   uint64
	Index pigeonhole.MessageBoxIndex
	Data  []byte
}

// String describes m without its data.
func (m Message) String() string {
	return fmt.Sprintf("channel.Message(%d, %d bytes)", m.Seq, len(m.Data))
}

// GoString returns the same as String.
func (m Message) GoString() string { return m.String() }

// Format writes String for every verb.
func (m Message) Format(f fmt.State, _ rune) { fmt.Fprint(f, m.String()) }

// LogValue logs the redacted form.
func (m Message) LogValue() slog.Value { return slog.StringValue(m.String()) }

// Reader receives the messages of a read channel, box after box, each
// committed to the store with the advanced index before Receive returns
// it; they stay in the store until Ack. Up to the DB's window of boxes
// are read ahead, side by side, and committed strictly in index order.
// It is safe for concurrent use.
type Reader struct {
	db   *DB
	name string
	cap  pigeonhole.ReadCap

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	st       State     // the committed state
	backlog  []Message // committed, not handed out in this run
	fetching bool      // a fetch loop runs
	fetchErr error     // why the last fetch loop stopped, for Receive
	changed  chan struct{}
	taken    chan struct{} // told (non-blocking) when Receive takes a message
}

func newReader(db *DB, st State, recs []Record) *Reader {
	ctx, cancel := context.WithCancel(context.Background())
	r := &Reader{db: db, name: st.Name, cap: st.ReadCap, ctx: ctx, cancel: cancel, st: st, changed: make(chan struct{}), taken: make(chan struct{}, 1)}
	for _, rec := range recs {
		if rec.Message != nil {
			r.backlog = append(r.backlog, Message{Seq: rec.Seq, Index: rec.Index, Data: rec.Message})
		}
	}
	return r
}

// Name returns the channel's name.
func (r *Reader) Name() string { return r.name }

// State returns the channel's committed state: the next box to read and
// the sequence number its message will get. It holds the read cap and
// formats as redacted.
func (r *Reader) State() State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st
}

// Receive returns the next message: first those received and not
// acknowledged in an earlier run, then new ones, waiting for the box to
// be written for as long as ctx allows (ending ctx does not lose a
// message: one committed meanwhile is handed out by the next call). A
// tombstone fails with an error matching pigeonhole.ErrTombstone, and
// the reader stays at that box: the next call reads it again. Other
// failures of the daemon calls are returned once; the next call starts
// reading again where the store says.
func (r *Reader) Receive(ctx context.Context) (Message, error) {
	for {
		r.mu.Lock()
		if r.ctx.Err() != nil {
			r.mu.Unlock()
			return Message{}, ErrClosed
		}
		if len(r.backlog) > 0 {
			m := r.backlog[0]
			r.backlog = r.backlog[1:]
			r.mu.Unlock()
			select {
			case r.taken <- struct{}{}:
			default:
			}
			return m, nil
		}
		if err := r.fetchErr; err != nil && !r.fetching {
			r.fetchErr = nil
			r.mu.Unlock()
			return Message{}, err
		}
		if !r.fetching {
			if err := r.db.pool.check(); err != nil {
				r.mu.Unlock()
				return Message{}, err
			}
			r.fetching = true
			r.wg.Add(1)
			go r.fetchLoop(r.st)
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return Message{}, ctx.Err()
		}
	}
}

// notifyLocked wakes the Receive calls waiting; r.mu is held.
func (r *Reader) notifyLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// read is one box being read ahead.
type read struct {
	at   pigeonhole.MessageBoxIndex
	next pigeonhole.MessageBoxIndex // the index after at
	done chan struct{}
	msg  []byte
	err  error
}

// fetchLoop reads the boxes from st.Next on, up to the window ahead of
// what Receive has taken, and commits each message with the advanced
// index, in index order. It stops at the first error, which Receive
// returns, or at Close.
func (r *Reader) fetchLoop(st State) {
	defer r.wg.Done()
	ctx, cancel := context.WithCancel(r.ctx)
	var reads sync.WaitGroup
	defer func() {
		cancel()
		reads.Wait()
	}()
	window := r.db.opts.window
	var ahead []*read // in index order
	at := st.Next
	seq := st.NextSeq
	launch := func() error {
		next, err := r.nextIndex(ctx, &at)
		if err != nil {
			return err
		}
		rd := &read{at: at, next: next, done: make(chan struct{})}
		at = next
		ahead = append(ahead, rd)
		reads.Add(1)
		go func() {
			defer reads.Done()
			defer close(rd.done)
			rd.msg, rd.err = r.readBox(ctx, &rd.at)
		}()
		return nil
	}
	stop := func(err error) {
		r.mu.Lock()
		r.fetching = false
		if r.ctx.Err() == nil {
			r.fetchErr = err
		}
		r.notifyLocked()
		r.mu.Unlock()
	}
	for {
		r.mu.Lock()
		room := window - len(ahead) - len(r.backlog)
		r.mu.Unlock()
		for ; room > 0; room-- {
			if err := launch(); err != nil {
				stop(err)
				return
			}
		}
		var head <-chan struct{}
		if len(ahead) > 0 {
			head = ahead[0].done
		}
		select {
		case <-ctx.Done():
			stop(ErrClosed)
			return
		case <-r.taken:
			continue
		case <-head:
		}
		rd := ahead[0]
		ahead = ahead[1:]
		if rd.err != nil {
			stop(fmt.Errorf("channel: reading message %d: %w", seq, rd.err))
			return
		}
		if err := r.commit(seq, rd); err != nil {
			stop(err)
			return
		}
		seq++
	}
}

// commit stores the message of rd with the advanced index in one
// transaction, then puts it in the backlog for Receive.
func (r *Reader) commit(seq uint64, rd *read) error {
	r.mu.Lock()
	next := r.st
	r.mu.Unlock()
	next.Next, next.NextSeq = rd.next, seq+1
	next.End, next.EndSeq = next.Next, next.NextSeq
	rec := Record{Seq: seq, Index: rd.at, Message: rd.msg}
	if err := r.db.store.Commit(context.Background(), r.name, Change{State: &next, Put: []Record{rec}}); err != nil {
		return fmt.Errorf("channel: committing message %d: %w", seq, err)
	}
	r.mu.Lock()
	r.st = next
	r.backlog = append(r.backlog, Message{Seq: seq, Index: rd.at, Data: rd.msg})
	r.notifyLocked()
	r.mu.Unlock()
	return nil
}

func (r *Reader) nextIndex(ctx context.Context, at *pigeonhole.MessageBoxIndex) (pigeonhole.MessageBoxIndex, error) {
	p, release, err := r.db.pool.local()
	if err != nil {
		return pigeonhole.MessageBoxIndex{}, err
	}
	defer release()
	return p.NextIndex(ctx, at)
}

// readBox encrypts the read of the box at on the least busy connection
// and reads it (waiting for it to be written).
func (r *Reader) readBox(ctx context.Context, at *pigeonhole.MessageBoxIndex) ([]byte, error) {
	p, release, err := r.db.pool.local()
	if err != nil {
		return nil, err
	}
	env, err := p.EncryptRead(ctx, &r.cap, at)
	release()
	if err != nil {
		return nil, err
	}
	p, release, err = r.db.pool.start()
	if err != nil {
		return nil, err
	}
	defer release()
	msg, err := p.Read(ctx, &r.cap, at, env)
	if err != nil {
		return nil, err
	}
	if msg == nil {
		msg = []byte{}
	}
	return msg, nil
}

// Ack tells the store that the application is done with message seq:
// it is deleted and not handed out again, not even after a restart.
// Acknowledging a message twice is not an error; a sequence number not
// received yet is ErrUnknownSeq.
func (r *Reader) Ack(ctx context.Context, seq uint64) error {
	r.mu.Lock()
	known := seq >= 1 && seq < r.st.NextSeq
	r.mu.Unlock()
	if !known {
		return fmt.Errorf("%w: %d", ErrUnknownSeq, seq)
	}
	if err := r.db.store.Commit(ctx, r.name, Change{Delete: []uint64{seq}}); err != nil {
		return err
	}
	// A message acknowledged before Receive handed it out (its Seq
	// learnt elsewhere) is not handed out.
	r.mu.Lock()
	r.backlog = slices.DeleteFunc(r.backlog, func(m Message) bool { return m.Seq == seq })
	r.mu.Unlock()
	return nil
}

// Close ends the channel: reads in flight are cancelled (nothing is
// committed for them); messages received and not acknowledged stay in
// the store. It waits for the reader's goroutines.
func (r *Reader) Close() error {
	r.close()
	r.db.unregister(r.name, r)
	return nil
}

func (r *Reader) close() {
	r.cancel()
	r.wg.Wait()
}
