package mock

import (
	"encoding/binary"
	"math/rand/v2"
	"time"

	"golang.org/x/crypto/blake2b"

	"github.com/katzenthin/katzenthin/wire"
)

// The daemon's ARQ for start_* operations (PROTOCOL.md 9.7, 9.8), without
// a mixnet: each courier round trip takes the mixnet latency (and another
// for each loss), a read of an empty box waits for its write, a cancel
// answers the start first with 24, and replies that come while the
// session is away are lost, not queued.

func leUint64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// acquireStartSlot takes one of the connection's 16 start slots, blocking
// the connection's reading while all are taken (9.7 item 1): later
// requests, cancels included, wait behind it. False if the connection
// ended meanwhile.
func (c *conn) acquireStartSlot() bool {
	select {
	case c.phSlots <- struct{}{}:
		return true
	case <-c.stop:
		return false
	}
}

// releaseStartSlot frees a slot taken by acquireStartSlot.
func (c *conn) releaseStartSlot() {
	select {
	case <-c.phSlots:
	default:
	}
}

// isStart reports whether req is a start_* request, which needs a slot.
func isStart(req *wire.Request99) bool {
	return req.StartResendingEncryptedMessage != nil || req.StartResendingCopyCommand != nil
}

func (c *conn) phStartMessage(q *wire.StartResendingEncryptedMessage) bool {
	if c.badLength(q.ReadCap, readCapLen, q.WriteCap, writeCapLen) {
		c.releaseStartSlot()
		return false
	}
	if q.QueryID == nil || q.EnvelopeHash == nil || len(q.MessageCiphertext) == 0 ||
		len(q.EnvelopeDescriptor) == 0 || (q.ReadCap == nil) == (q.WriteCap == nil) {
		c.releaseStartSlot()
		r := wire.StartResendingEncryptedMessageReply{QueryID: q.QueryID, ErrorCode: wire.ErrorCodeInvalidRequest}
		c.sendResponse(&wire.Response{StartResendingEncryptedMessageReply: &r})
		return true
	}
	f := &phFlight{app: c.app.Load(), conn: c, qid: *q.QueryID, key: key32(q.EnvelopeHash),
		noRetry: q.NoRetryOnBoxIDNotFound, noIdem: q.NoIdempotentBoxAlreadyExists}
	ph := c.d.ph
	ph.mu.Lock()
	f.env = ph.envelopeOfLocked(q.MessageCiphertext)
	ph.register(ph.messages, f)
	ph.mu.Unlock()
	trips := 1
	if f.env != nil && (!f.env.write || f.noIdem) {
		trips = 2 // the second round trip fetches the replica's answer
	}
	if f.env != nil {
		c.d.phRoundTrip(f, trips)
	}
	// A ciphertext the mock did not make: the courier cannot parse it
	// and stays silent; the operation waits until cancelled or dropped.
	return true
}

func (c *conn) phStartCopy(q *wire.StartResendingCopyCommand) bool {
	if c.badLength(q.WriteCap, writeCapLen) {
		c.releaseStartSlot()
		return false
	}
	if q.QueryID == nil || q.WriteCap == nil {
		c.releaseStartSlot()
		r := wire.StartResendingCopyCommandReply{QueryID: q.QueryID, ErrorCode: wire.ErrorCodeInvalidRequest}
		c.sendResponse(&wire.Response{StartResendingCopyCommandReply: &r})
		return true
	}
	f := &phFlight{app: c.app.Load(), conn: c, qid: *q.QueryID, key: blake2b.Sum256(q.WriteCap),
		copy: true, tempCap: append([]byte(nil), q.WriteCap...)}
	ph := c.d.ph
	ph.mu.Lock()
	ph.register(ph.copies, f)
	ph.mu.Unlock()
	c.d.phRoundTrip(f, 1)
	return true
}

// register records a start in its map (a replay of a running one takes
// over its registration: a cancel reaches only the newer, and both
// answer). The caller holds s.mu.
func (s *pigeonholeState) register(m map[[32]byte]*phFlight, f *phFlight) {
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
func (d *Daemon) phRoundTrip(f *phFlight, trips int) {
	delay := time.Duration(0)
	for range trips {
		delay += d.opts.ph.mixnet
		for d.opts.ph.loss > 0 && rand.Float64() < d.opts.ph.loss {
			delay += d.opts.ph.mixnet
			d.ph.retransmissions.Add(1) // atomic: callers may hold d.ph.mu
			d.ph.changes.signal()
		}
	}
	d.sched.at(time.Now().Add(delay), func(time.Time) { d.phArrive(f) })
}

// phArrive is the courier's answer for f: it settles f, or makes it wait
// for its box, or (while HoldPigeonhole) holds it.
func (d *Daemon) phArrive(f *phFlight) {
	ph := d.ph
	ph.mu.Lock()
	if f.done || f.dead {
		ph.mu.Unlock()
		return
	}
	if ph.holding || !d.connected.Load() {
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
		settled = ph.copyLocked(d, f, &r)
	} else {
		settled = ph.messageLocked(d, f, &r)
	}
	if settled && f.app.conn.Load() == nil {
		// The session is away: the reply is lost, not queued, and the
		// operation stays registered but dead (9.8): resuming does not
		// revive it, a cancel still finds it, a replay replaces it.
		f.dead = true
		ph.stats.Lost++
		ph.changes.signal()
		f.conn.releaseStartSlot()
		ph.mu.Unlock()
		return
	}
	if settled {
		ph.endLocked(f)
	}
	ph.mu.Unlock()
	if settled {
		d.phReply(f, &r)
		// The slot frees after the reply is out, so that what the freed
		// slot lets the connection read is answered after it.
		f.conn.releaseStartSlot()
	}
}

// messageLocked runs an envelope operation against the store: true with
// r filled when it ends, false when it waits for its box.
func (s *pigeonholeState) messageLocked(d *Daemon, f *phFlight, r *wire.Response) bool {
	env := f.env
	rep := &wire.StartResendingEncryptedMessageReply{QueryID: &f.qid, CourierIdentityHash: s.courier[:], CourierQueueID: []byte("courier")}
	r.StartResendingEncryptedMessageReply = rep
	box := s.boxes[env.box]
	switch {
	case env.write:
		s.courierSeeLocked(d, f.key)
		if !s.writeLocked(d, env) && f.noIdem {
			rep.ErrorCode = 10 // box already exists (replica namespace)
		}
	case box == nil && f.noRetry:
		s.courierSeeLocked(d, f.key)
		rep.ErrorCode = 1 // box not found
	case box == nil:
		s.waitOrStarveLocked(d, f, env.box)
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
func (s *pigeonholeState) writeLocked(d *Daemon, env *phEnvelope) bool {
	box := s.boxes[env.box]
	switch {
	case box == nil:
		s.storeLocked(d, env.box, env.plaintext)
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
func (s *pigeonholeState) storeLocked(d *Daemon, id [32]byte, data []byte) {
	s.boxes[id] = &phBox{data: data, tombstone: len(data) == 0}
	for _, w := range s.waiters[id] {
		w.waiting = nil
		d.phRoundTrip(w, 1)
	}
	delete(s.waiters, id)
}

func (s *pigeonholeState) waitLocked(f *phFlight, id [32]byte) {
	f.waiting = &id
	s.waiters[id] = append(s.waiters[id], f)
}

// finishLocked unregisters f, which has ended (answered, cancelled or
// dropped), and frees its start slot.
func (s *pigeonholeState) finishLocked(f *phFlight) {
	s.endLocked(f)
	if !f.dead { // a dead one freed its slot when it died
		f.conn.releaseStartSlot()
	}
}

// endLocked unregisters f but keeps its start slot.
func (s *pigeonholeState) endLocked(f *phFlight) {
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
func (s *pigeonholeState) unwaitLocked(f *phFlight) {
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
func (d *Daemon) phReply(f *phFlight, r *wire.Response) {
	if c := f.app.conn.Load(); c != nil && c.sendResponse(r) {
		return
	}
	d.ph.mu.Lock()
	d.ph.stats.Lost++
	d.ph.changes.signal()
	d.ph.mu.Unlock()
}

func (c *conn) phCancelMessage(q *wire.CancelResendingEncryptedMessage) {
	r := wire.CancelResendingEncryptedMessageReply{QueryID: q.QueryID}
	if q.QueryID == nil || q.EnvelopeHash == nil {
		r.ErrorCode = wire.ErrorCodeInvalidRequest
	} else if f := c.d.ph.cancel(c.d.ph.messages, key32(q.EnvelopeHash)); f != nil {
		s := wire.StartResendingEncryptedMessageReply{QueryID: &f.qid, ErrorCode: 24,
			CourierIdentityHash: c.d.ph.courier[:], CourierQueueID: []byte("courier")}
		c.sendResponse(&wire.Response{StartResendingEncryptedMessageReply: &s})
	}
	c.sendResponse(&wire.Response{CancelResendingEncryptedMessageReply: &r})
}

func (c *conn) phCancelCopy(q *wire.CancelResendingCopyCommand) {
	r := wire.CancelResendingCopyCommandReply{QueryID: q.QueryID}
	if q.QueryID == nil || q.WriteCapHash == nil {
		r.ErrorCode = wire.ErrorCodeInvalidRequest
	} else if f := c.d.ph.cancel(c.d.ph.copies, key32(q.WriteCapHash)); f != nil {
		s := wire.StartResendingCopyCommandReply{QueryID: &f.qid, ErrorCode: 24}
		c.sendResponse(&wire.Response{StartResendingCopyCommandReply: &s})
	}
	c.sendResponse(&wire.Response{CancelResendingCopyCommandReply: &r})
}

// cancel ends the operation registered under key, if any, and returns it:
// its reply (24) goes to the cancelling connection, before the cancel's.
func (s *pigeonholeState) cancel(m map[[32]byte]*phFlight, key [32]byte) *phFlight {
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

// dropApp ends every operation of a, silently (thin_close, a socket lost
// without a session, an expired session). The caller may hold Daemon.mu.
func (s *pigeonholeState) dropApp(a *app) {
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
