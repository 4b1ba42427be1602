package storage

import (
	"encoding/binary"
	"math/rand/v2"
	"time"

	"golang.org/x/crypto/blake2b"

	"github.com/katzenthin/katzenthin/wire"
)

// The daemon's ARQ for start_* operations (docs/protocol.md 9.7, 9.8), without
// a mixnet: each courier round trip takes the mixnet latency (and another
// for each loss), a read of an empty box waits for its write, a cancel
// answers the start first with 24, and replies that come while the
// session is away are lost, not queued.

func leUint64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

func (c *conn) phStartMessage(q *wire.StartResendingEncryptedMessage) bool {
	if c.badLength(q.ReadCap, readCapLen, q.WriteCap, writeCapLen) {
		c.ReleaseStartSlot()
		return false
	}
	if q.QueryID == nil || q.EnvelopeHash == nil || len(q.MessageCiphertext) == 0 ||
		len(q.EnvelopeDescriptor) == 0 || (q.ReadCap == nil) == (q.WriteCap == nil) {
		c.ReleaseStartSlot()
		r := wire.StartResendingEncryptedMessageReply{QueryID: q.QueryID, ErrorCode: wire.ErrorCodeInvalidRequest}
		c.Send(&wire.Response{StartResendingEncryptedMessageReply: &r})
		return true
	}
	f := &phFlight{app: c.Session(), conn: c, qid: *q.QueryID, key: key32(q.EnvelopeHash),
		noRetry: q.NoRetryOnBoxIDNotFound, noIdem: q.NoIdempotentBoxAlreadyExists}
	ph := c.s
	ph.mu.Lock()
	f.env = ph.envelopeOfLocked(q.MessageCiphertext)
	ph.register(ph.messages, f)
	ph.mu.Unlock()
	trips := 1
	if f.env != nil && (!f.env.write || f.noIdem) {
		trips = 2 // the second round trip fetches the replica's answer
	}
	if f.env != nil {
		c.s.phRoundTrip(f, trips)
	}
	// A ciphertext the mock did not make: the courier cannot parse it
	// and stays silent; the operation waits until cancelled or dropped.
	return true
}

func (c *conn) phStartCopy(q *wire.StartResendingCopyCommand) bool {
	if c.badLength(q.WriteCap, writeCapLen) {
		c.ReleaseStartSlot()
		return false
	}
	if q.QueryID == nil || q.WriteCap == nil {
		c.ReleaseStartSlot()
		r := wire.StartResendingCopyCommandReply{QueryID: q.QueryID, ErrorCode: wire.ErrorCodeInvalidRequest}
		c.Send(&wire.Response{StartResendingCopyCommandReply: &r})
		return true
	}
	f := &phFlight{app: c.Session(), conn: c, qid: *q.QueryID, key: blake2b.Sum256(q.WriteCap),
		copy: true, tempCap: append([]byte(nil), q.WriteCap...)}
	ph := c.s
	ph.mu.Lock()
	ph.register(ph.copies, f)
	ph.mu.Unlock()
	c.s.phRoundTrip(f, 1)
	return true
}

// register records a start in its map (a replay of a running one takes
// over its registration: a cancel reaches only the newer, and both
// answer). The caller holds s.mu.
func (s *Store) register(m map[[32]byte]*phFlight, f *phFlight) {
	s.stats.Starts++
	if s.seen[f.key] {
		s.stats.Replays++
	}
	s.seen[f.key] = true
	m[f.key] = f
	s.changes.signal()
}

// phRoundTrip makes f's next courier answer arrive after trips round
// trips, each lost (and so repeated) with the loss probability.
func (s *Store) phRoundTrip(f *phFlight, trips int) {
	delay := time.Duration(0)
	for range trips {
		delay += s.opts.Mixnet
		for s.opts.Loss > 0 && rand.Float64() < s.opts.Loss {
			delay += s.opts.Mixnet
			s.retransmissions.Add(1) // atomic: callers may hold s.mu
			s.changes.signal()
		}
	}
	s.host.At(time.Now().Add(delay), func(time.Time) { s.phArrive(f) })
}

// phArrive is the courier's answer for f: it settles f, or makes it wait
// for its box, or (while Hold) holds it.
func (s *Store) phArrive(f *phFlight) {
	ph := s
	ph.mu.Lock()
	if f.done || f.dead {
		ph.mu.Unlock()
		return
	}
	if ph.holding || !s.host.Connected() {
		// Held for a test, or the daemon is offline: no courier answers
		// (the real daemon sends nothing while offline; 9.7).
		ph.held = append(ph.held, f)
		ph.changes.signal()
		ph.mu.Unlock()
		return
	}
	var r wire.Response
	var settled bool
	if f.copy {
		settled = ph.copyLocked(f, &r)
	} else {
		settled = ph.messageLocked(f, &r)
	}
	if settled && f.app.Conn() == nil {
		// The session is away: the reply is lost, not queued, and the
		// operation stays registered but dead (9.8): resuming does not
		// revive it, a cancel still finds it, a replay replaces it.
		f.dead = true
		ph.stats.Lost++
		ph.changes.signal()
		f.conn.ReleaseStartSlot()
		ph.mu.Unlock()
		return
	}
	if settled {
		ph.endLocked(f)
	}
	ph.mu.Unlock()
	if settled {
		s.phReply(f, &r)
		// The slot frees after the reply is out, so that what the freed
		// slot lets the connection read is answered after it.
		f.conn.ReleaseStartSlot()
	}
}

// messageLocked runs an envelope operation against the store: true with
// r filled when it ends, false when it waits for its box.
func (s *Store) messageLocked(f *phFlight, r *wire.Response) bool {
	env := f.env
	rep := &wire.StartResendingEncryptedMessageReply{QueryID: &f.qid, CourierIdentityHash: s.courier[:], CourierQueueID: []byte("courier")}
	r.StartResendingEncryptedMessageReply = rep
	box := s.boxes[env.box]
	switch {
	case env.write:
		s.courierSeeLocked(f.key)
		if !s.writeLocked(env) && f.noIdem {
			rep.ErrorCode = 10 // box already exists (replica namespace)
		}
	case box == nil && f.noRetry:
		s.courierSeeLocked(f.key)
		rep.ErrorCode = 1 // box not found
	case box == nil:
		s.waitOrStarveLocked(f, env.box)
		return false
	case box.tombstone:
		rep.ErrorCode = 11
	default:
		rep.Plaintext = append([]byte{}, box.data...)
	}
	return true
}

// writeLocked writes env's box as a replica does: an empty box takes
// anything; a tombstone replaces whatever the box holds (docs/protocol.md
// 9.6.2); other content over an occupied box changes nothing, is counted
// in ConflictingWrites, and reports false (box already exists). Rewriting
// the same content is true. The caller holds s.mu.
func (s *Store) writeLocked(env *phEnvelope) bool {
	box := s.boxes[env.box]
	switch {
	case box == nil:
		s.storeLocked(env.box, env.plaintext)
	case len(env.plaintext) == 0:
		box.data, box.tombstone = []byte{}, true
	case box.tombstone || string(box.data) != string(env.plaintext):
		s.stats.ConflictingWrites++
		s.changes.signal()
		return false
	}
	return true
}

// storeLocked writes a box and wakes what waits for it: each waiter's
// next poll finds it one round trip later.
func (s *Store) storeLocked(id [32]byte, data []byte) {
	s.boxes[id] = &phBox{data: data, tombstone: len(data) == 0}
	for _, w := range s.waiters[id] {
		w.waiting = nil
		s.phRoundTrip(w, 1)
	}
	delete(s.waiters, id)
}

func (s *Store) waitLocked(f *phFlight, id [32]byte) {
	f.waiting = &id
	s.waiters[id] = append(s.waiters[id], f)
}

// finishLocked unregisters f, which has ended (answered, cancelled or
// dropped), and frees its start slot.
func (s *Store) finishLocked(f *phFlight) {
	s.endLocked(f)
	if !f.dead { // a dead one freed its slot when it died
		f.conn.ReleaseStartSlot()
	}
}

// endLocked unregisters f but keeps its start slot.
func (s *Store) endLocked(f *phFlight) {
	f.done = true
	m := s.messages
	if f.copy {
		m = s.copies
	}
	if m[f.key] == f {
		delete(m, f.key)
	}
	s.unwaitLocked(f)
	s.unstarveLocked(f)
	s.changes.signal()
}

// unwaitLocked takes f off the waiters of its box. The caller holds s.mu.
func (s *Store) unwaitLocked(f *phFlight) {
	if f.waiting != nil {
		ws := s.waiters[*f.waiting]
		for i, w := range ws {
			if w == f {
				ws = append(ws[:i], ws[i+1:]...)
				break
			}
		}
		if len(ws) == 0 {
			delete(s.waiters, *f.waiting)
		} else {
			s.waiters[*f.waiting] = ws
		}
		f.waiting = nil
	}
}

// phReply sends f's final reply to its application's connection; if the
// connection went meanwhile, the reply is lost (9.8): the daemon queues no
// Pigeonhole reply.
func (s *Store) phReply(f *phFlight, r *wire.Response) {
	if c := f.app.Conn(); c != nil && c.Send(r) {
		return
	}
	s.mu.Lock()
	s.stats.Lost++
	s.changes.signal()
	s.mu.Unlock()
}

func (c *conn) phCancelMessage(q *wire.CancelResendingEncryptedMessage) {
	r := wire.CancelResendingEncryptedMessageReply{QueryID: q.QueryID}
	if q.QueryID == nil || q.EnvelopeHash == nil {
		r.ErrorCode = wire.ErrorCodeInvalidRequest
	} else if f := c.s.cancel(c.s.messages, key32(q.EnvelopeHash)); f != nil {
		s := wire.StartResendingEncryptedMessageReply{QueryID: &f.qid, ErrorCode: 24,
			CourierIdentityHash: c.s.courier[:], CourierQueueID: []byte("courier")}
		c.Send(&wire.Response{StartResendingEncryptedMessageReply: &s})
	}
	c.Send(&wire.Response{CancelResendingEncryptedMessageReply: &r})
}

func (c *conn) phCancelCopy(q *wire.CancelResendingCopyCommand) {
	r := wire.CancelResendingCopyCommandReply{QueryID: q.QueryID}
	if q.QueryID == nil || q.WriteCapHash == nil {
		r.ErrorCode = wire.ErrorCodeInvalidRequest
	} else if f := c.s.cancel(c.s.copies, key32(q.WriteCapHash)); f != nil {
		s := wire.StartResendingCopyCommandReply{QueryID: &f.qid, ErrorCode: 24}
		c.Send(&wire.Response{StartResendingCopyCommandReply: &s})
	}
	c.Send(&wire.Response{CancelResendingCopyCommandReply: &r})
}

// cancel ends the operation registered under key, if any, and returns it:
// its reply (24) goes to the cancelling connection, before the cancel's.
func (s *Store) cancel(m map[[32]byte]*phFlight, key [32]byte) *phFlight {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Cancels++
	s.changes.signal() // also when it finds nothing
	f := m[key]
	if f == nil || f.done {
		return nil
	}
	s.finishLocked(f)
	return f
}

// DropSession ends every operation of a, silently (thin_close, a socket lost
// without a session, an expired session). The caller may hold the mock Daemon's mu.
func (s *Store) DropSession(a Session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range []map[[32]byte]*phFlight{s.messages, s.copies} {
		for _, f := range m {
			if f.app == a {
				s.finishLocked(f)
			}
		}
	}
	kept := s.held[:0]
	for _, f := range s.held {
		if f.app != a {
			kept = append(kept, f)
		}
	}
	s.held = kept
	s.changes.signal()
}
