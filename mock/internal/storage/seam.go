// Package storage is the mock daemon's Pigeonhole (docs/protocol.md 9):
// the box store, the ciphertexts it made, copy commands, the courier's
// envelope cache and the daemon's ARQ for start_* operations. Package
// mock owns the connections and sessions and hands this package each
// Pigeonhole request through a narrow seam: Host (the daemon's clock and
// mixnet link), Conn (one connection) and Session (one application).
package storage

import (
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

// Host is the daemon around the store.
type Host interface {
	// At runs run at due on the daemon's scheduler.
	At(due time.Time, run func(due time.Time))
	// Connected reports whether the daemon is connected to the mixnet:
	// while it is not, no courier answers.
	Connected() bool
}

// Conn is one client connection.
type Conn interface {
	// Send queues a reply; false when the connection is closed.
	Send(r *wire.Response) bool
	// CloseLost ends the connection as the daemon does on a frame it
	// cannot decode: the socket closes, the session is kept.
	CloseLost()
	// Done is closed when the connection ends.
	Done() <-chan struct{}
	// Session is the connection's application.
	Session() Session
	// ReleaseStartSlot frees the start slot the caller took for a
	// start_* request (StartSlots per connection) before Handle.
	ReleaseStartSlot()
	// AppID names the application in logs.
	AppID() string
	// LogRequest logs a request's kind.
	LogRequest(kind string)
}

// Session is one application: operations belong to it, not to a
// connection, and their replies go to its connection of the moment.
// Values must be comparable and equal for the same application.
type Session interface {
	// Conn is the attached connection, nil while the application is away.
	Conn() Conn
}

// StartSlots is how many start_* requests a connection keeps outstanding
// (docs/protocol.md 9.7 item 1).
const StartSlots = phStartSlots

// Defaults of the courier cache (docs/protocol.md 9.7 item 4, 9.11).
const (
	DefaultReasks     = 5
	DefaultTTL        = 5 * time.Minute
	DefaultRetransmit = 4 * time.Second
)

// Options configure the store; the zero value answers at once, with the
// real courier's cache.
type Options struct {
	Local  time.Duration // each crypto-heavy local request
	Mixnet time.Duration // each courier round trip of a start_* operation
	Loss   float64       // probability that a round trip is lost (and retransmitted)

	// The courier's envelope cache (courier.go); unset values stand for
	// the real courier's and daemon's.
	CacheSet      bool // Reasks and TTL are set, or CacheOff
	CacheOff      bool
	Reasks        int
	TTL           time.Duration
	RetransmitSet bool
	Retransmit    time.Duration
}

// courierCache returns the cache's limits; ok is false when it is off.
func (o *Options) courierCache() (reasks int, ttl, retransmit time.Duration, ok bool) {
	reasks, ttl, retransmit = DefaultReasks, DefaultTTL, DefaultRetransmit
	if o.CacheSet {
		reasks, ttl = o.Reasks, o.TTL
	}
	if o.RetransmitSet {
		retransmit = o.Retransmit
	}
	return reasks, ttl, retransmit, !o.CacheOff
}

// Stats are the store's counters; package mock documents them as
// PigeonholeStats, which has the same fields.
type Stats struct {
	Starts, Replays, Cancels, InFlight, Held, Lost, Retransmissions, Closed int64
	ConflictingWrites, Starved                                              int64
}

// conn is a connection as the store sees it.
type conn struct {
	Conn
	s *Store
}

// Handle handles a v0.0.99 Pigeonhole request of c (docs/protocol.md
// 9.6). handled is false for a request with no Pigeonhole operation; stop
// is true when the connection has ended. A start_* request must hold one
// of c's start slots (IsStart), which the store frees when the operation
// ends.
func (s *Store) Handle(c Conn, req *wire.Request99) (handled, stop bool) {
	return (&conn{Conn: c, s: s}).handlePigeonhole(req)
}

// IsStart reports whether req is a start_* request, which needs a slot.
func IsStart(req *wire.Request99) bool {
	return req.StartResendingEncryptedMessage != nil || req.StartResendingCopyCommand != nil
}

// Stats returns a snapshot of the counters.
func (s *Store) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.InFlight = int64(len(s.messages) + len(s.copies))
	st.Held = int64(len(s.held))
	st.Retransmissions = s.retransmissions.Load()
	st.Starved = s.starvedLocked()
	return st
}

// Next returns a channel closed at the first change of the counters
// after the call.
func (s *Store) Next() <-chan struct{} { return s.changes.next() }

// Hold makes every courier answer wait until Release.
func (s *Store) Hold() {
	s.mu.Lock()
	s.holding = true
	s.mu.Unlock()
}

// Release stops holding and lets the held answers arrive.
func (s *Store) Release() {
	s.mu.Lock()
	s.holding = false
	s.mu.Unlock()
	s.Wake()
}

// Wake lets the held answers arrive unless a test holds them; each one
// that still cannot (the daemon is offline) is held again.
func (s *Store) Wake() {
	s.mu.Lock()
	if s.holding {
		s.mu.Unlock()
		return
	}
	held := s.held
	s.held = nil
	s.changes.signal()
	s.mu.Unlock()
	for _, f := range held {
		s.phArrive(f)
	}
}

// WriteBox stores data in the box at index of the stream of writeCap as
// a client's write would (see writeLocked); false for a wrong length or
// a box holding other content.
func (s *Store) WriteBox(writeCap, index, data []byte) bool {
	if len(writeCap) != phWriteCapLen || len(index) != phIndexLen {
		return false
	}
	id := boxID(writeCap[32:64], index)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writeLocked(&phEnvelope{write: true, box: id, plaintext: append([]byte{}, data...)})
}
