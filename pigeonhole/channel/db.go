package channel

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"

	"github.com/katzenthin/katzenthin/pigeonhole"
)

// DB is a set of durable channels kept in a Store, with the daemon
// connections that move their messages. It is safe for concurrent use;
// each channel is open at most once at a time (ErrInUse).
type DB struct {
	store Store
	opts  options
	pool  *pool

	mu     sync.Mutex
	closed bool
	open   map[string]openChannel // the open channels, by name
}

// openChannel is an open channel: something Close can end.
type openChannel interface{ close() }

// Info describes a channel for List. It holds no secret.
type Info struct {
	Name string
	Kind Kind
	// Next is the durable next index: for a write channel the lowest
	// one not acknowledged yet, for a read channel the next box to read.
	Next pigeonhole.MessageBoxIndex
	// Pending counts a write channel's messages committed and not yet
	// acknowledged, or a read channel's received messages the
	// application has not acknowledged.
	Pending int
}

// Open opens the channel store file at path, creating it (mode 0600) if
// it does not exist, and returns its DB. The file is a bbolt database
// (one file, ACID transactions, fsynced at each commit). If another
// process has it open, Open waits up to WithLockTimeout and fails with
// ErrLocked; a damaged file or one that is not a channel store fails
// with ErrCorrupt.
func Open(path string, opts ...Option) (*DB, error) {
	o, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	s, err := openBolt(path, o.lockTimeout)
	if err != nil {
		return nil, err
	}
	return newDB(s, o), nil
}

// New returns a DB over s, a store of the application's (or
// NewMemoryStore). Closing the DB closes s.
func New(s Store, opts ...Option) (*DB, error) {
	if s == nil {
		return nil, errors.New("channel: New: nil Store")
	}
	o, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	return newDB(s, o), nil
}

func newDB(s Store, o options) *DB {
	return &DB{store: s, opts: o, pool: newPool(o.clients), open: make(map[string]openChannel)}
}

// Close closes every open channel (writes and reads in flight end with
// ErrClosed; pending writes stay in the store for the next Open), then
// the store.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil
	}
	db.closed = true
	open := db.open
	db.open = nil
	db.mu.Unlock()
	for _, c := range open {
		c.close()
	}
	return db.store.Close()
}

// Store returns the DB's store.
func (db *DB) Store() Store { return db.store }

// CreateWriter makes a write channel named name on a new stream (a new
// keypair from a fresh random seed) and opens it. Its ReadCap and Start
// are what a reader needs.
func (db *DB) CreateWriter(ctx context.Context, name string) (*Writer, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	p, release, err := db.pool.local()
	if err != nil {
		return nil, err
	}
	var seed [pigeonhole.SeedSize]byte
	if _, err := rand.Read(seed[:]); err != nil {
		release()
		return nil, fmt.Errorf("channel: seed: %w", err)
	}
	w, _, first, err := p.NewKeypair(ctx, seed[:])
	release()
	if err != nil {
		return nil, err
	}
	return db.ImportWriter(ctx, name, w, first)
}

// ImportWriter makes a write channel named name that writes the stream
// of w from the box at next on, and opens it. Nothing is sent.
func (db *DB) ImportWriter(ctx context.Context, name string, w pigeonhole.WriteCap, next pigeonhole.MessageBoxIndex) (*Writer, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	st := State{Name: name, Kind: KindWrite, WriteCap: w, ReadCap: w.ReadCap(), Start: next, Next: next, NextSeq: 1, End: next, EndSeq: 1}
	if err := db.store.Create(ctx, st); err != nil {
		return nil, err
	}
	return db.Writer(ctx, name)
}

// ImportReader makes a read channel named name that reads the stream of
// r from the box at next on, and opens it. Nothing is read yet.
func (db *DB) ImportReader(ctx context.Context, name string, r pigeonhole.ReadCap, next pigeonhole.MessageBoxIndex) (*Reader, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	st := State{Name: name, Kind: KindRead, ReadCap: r, Start: next, Next: next, NextSeq: 1, End: next, EndSeq: 1}
	if err := db.store.Create(ctx, st); err != nil {
		return nil, err
	}
	return db.Reader(ctx, name)
}

// Writer opens the write channel name. Pending writes from an earlier
// run (committed, not acknowledged) are sent again at once, unchanged,
// before anything new: a new message waits until they are
// acknowledged.
func (db *DB) Writer(ctx context.Context, name string) (*Writer, error) {
	st, recs, err := db.load(ctx, name, KindWrite)
	if err != nil {
		return nil, err
	}
	w := newWriter(db, st, recs)
	if err := db.register(name, w); err != nil {
		return nil, err
	}
	w.resume()
	return w, nil
}

// Reader opens the read channel name. Messages received and not
// acknowledged in an earlier run are handed out again first, with their
// sequence numbers.
func (db *DB) Reader(ctx context.Context, name string) (*Reader, error) {
	st, recs, err := db.load(ctx, name, KindRead)
	if err != nil {
		return nil, err
	}
	r := newReader(db, st, recs)
	if err := db.register(name, r); err != nil {
		return nil, err
	}
	return r, nil
}

// load reads the state and records of the channel name, which must be
// of kind.
func (db *DB) load(ctx context.Context, name string, kind Kind) (State, []Record, error) {
	st, recs, err := db.store.Load(ctx, name)
	if err != nil {
		return State{}, nil, err
	}
	if st.Kind != kind {
		return State{}, nil, fmt.Errorf("%w: %q is a %v channel", ErrWrongKind, name, st.Kind)
	}
	return st, recs, nil
}

// List describes every channel in the store, ordered by name.
func (db *DB) List(ctx context.Context) ([]Info, error) {
	sts, err := db.store.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Info, 0, len(sts))
	for _, st := range sts {
		// Records, not EndSeq-NextSeq: writes are acknowledged out of
		// order, and those above the lowest pending one are gone.
		_, recs, err := db.store.Load(ctx, st.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, Info{Name: st.Name, Kind: st.Kind, Next: st.Next, Pending: len(recs)})
	}
	return out, nil
}

// Delete removes the channel name and everything it keeps (pending
// writes are dropped: they are not sent again; unacknowledged messages
// are lost). An open channel is not deleted: ErrInUse.
func (db *DB) Delete(ctx context.Context, name string) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return ErrClosed
	}
	if _, ok := db.open[name]; ok {
		return fmt.Errorf("%w: %q", ErrInUse, name)
	}
	return db.store.Delete(ctx, name)
}

func (db *DB) register(name string, c openChannel) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return ErrClosed
	}
	if _, ok := db.open[name]; ok {
		return fmt.Errorf("%w: %q", ErrInUse, name)
	}
	db.open[name] = c
	return nil
}

func (db *DB) unregister(name string, c openChannel) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.open[name] == c {
		delete(db.open, name)
	}
}

func checkName(name string) error {
	if name == "" || len(name) > MaxNameLength {
		return fmt.Errorf("%w: %d bytes, want 1 to %d", ErrInvalidName, len(name), MaxNameLength)
	}
	return nil
}
