package mock_test

import (
	"context"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

// waitPH waits until cond holds for the Pigeonhole counters.
func (e *env) waitPH(cond func(mock.PigeonholeStats) bool) mock.PigeonholeStats {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), frameTimeout)
	defer cancel()
	st, err := e.d.WaitPigeonhole(ctx, cond)
	if err != nil {
		e.t.Fatalf("WaitPigeonhole: %v (stats %+v)", err, st)
	}
	return st
}

// A read whose envelope's re-asks are spent is answered from the
// courier's cache: a write that lands then is not seen by that envelope
// (its cancel finds it still waiting), only by a fresh one.
func TestCourierCacheStarvesRead(t *testing.T) {
	e := start(t, wire.Generation99, mock.WithCourierCache(5, time.Hour), mock.WithPigeonholeRetransmit(time.Millisecond))
	alice, bob := e.connect(nil), e.connect(nil)
	s := alice.keypair()
	er := bob.encryptRead(s.r, s.first)
	q := bob.startRead(s.r, s.first, er, false)
	e.waitPH(func(st mock.PigeonholeStats) bool { return st.Starved == 1 })
	alice.writeBox(s.w, s.first, []byte("late"))
	if st := e.d.PigeonholeStats(); st.Starved != 1 || st.InFlight != 1 {
		t.Fatalf("after the write: %+v", st)
	}
	// The first reply to come is the cancelled start's 24: the written
	// box never reached the starved envelope.
	bob.expectCancelled(q, bob.cancelMessage(er.EnvelopeHash))
	if st := e.d.PigeonholeStats(); st.Starved != 0 || st.InFlight != 0 {
		t.Fatalf("after the cancel: %+v", st)
	}
	if r := bob.readBox(s.r, s.first, false); r.ErrorCode != 0 || string(r.Plaintext) != "late" {
		t.Fatalf("fresh envelope: %+v", r)
	}
}

// The same envelope replayed (a client's replay after a reconnect)
// shares its cache entry: it starves at once.
func TestCourierCacheReplayShares(t *testing.T) {
	e := start(t, wire.Generation99, mock.WithCourierCache(0, time.Hour))
	alice, bob := e.connect(nil), e.connect(nil)
	s := alice.keypair()
	er := bob.encryptRead(s.r, s.first)
	q1 := bob.startRead(s.r, s.first, er, false)
	e.waitPH(func(st mock.PigeonholeStats) bool { return st.Starved == 1 })
	q2 := bob.startRead(s.r, s.first, er, false)
	e.waitPH(func(st mock.PigeonholeStats) bool { return st.Starved == 2 && st.Replays == 1 })
	alice.writeBox(s.w, s.first, []byte("late"))
	if st := e.d.PigeonholeStats(); st.Starved != 2 {
		t.Fatalf("after the write: %+v", st)
	}
	bob.expectCancelled(q2, bob.cancelMessage(er.EnvelopeHash)) // the newer registration
	_ = q1
}

// An entry older than the TTL is pruned when a new envelope reaches the
// courier; the starved read then asks again and finds its box. Here the
// TTL is 0 and no re-ask is allowed: the read starves at its first
// answer, and the write's own envelope prunes its entry.
func TestCourierCachePrunedByNewEnvelope(t *testing.T) {
	e := start(t, wire.Generation99, mock.WithCourierCache(0, 0))
	alice, bob := e.connect(nil), e.connect(nil)
	s := alice.keypair()
	q := bob.startRead(s.r, s.first, bob.encryptRead(s.r, s.first), false)
	e.waitPH(func(st mock.PigeonholeStats) bool { return st.Starved == 1 })
	alice.writeBox(s.w, s.first, []byte("pruned"))
	if r := bob.startReply(q); r.ErrorCode != 0 || string(r.Plaintext) != "pruned" {
		t.Fatalf("%+v", r)
	}
}

// Without the cache (the later option wins), a read waits for its write
// however long it takes.
func TestWithoutCourierCache(t *testing.T) {
	e := start(t, wire.Generation99, mock.WithCourierCache(0, 0), mock.WithoutCourierCache())
	alice, bob := e.connect(nil), e.connect(nil)
	s := alice.keypair()
	q := bob.startRead(s.r, s.first, bob.encryptRead(s.r, s.first), false)
	e.sync()
	alice.writeBox(s.w, s.first, []byte("late"))
	if r := bob.startReply(q); r.ErrorCode != 0 || string(r.Plaintext) != "late" {
		t.Fatalf("%+v", r)
	}
	if st := e.d.PigeonholeStats(); st.Starved != 0 {
		t.Fatalf("%+v", st)
	}
}

// A tombstone replaces a box that holds data, as the replicas store it
// unconditionally (docs/protocol.md 9.6.2), also with the no-idempotent
// flag; a read then gives 11.
func TestPigeonholeTombstoneReplaces(t *testing.T) {
	for _, exclusive := range []bool{false, true} {
		e := start(t, wire.Generation99)
		c := e.connect(nil)
		s := c.keypair()
		c.writeBox(s.w, s.first, []byte("data"))
		if r := c.readBox(s.r, s.first, true); r.ErrorCode != 0 || string(r.Plaintext) != "data" {
			t.Fatalf("%+v", r)
		}
		q, _ := c.startWrite(s.w, c.encryptWrite(s.w, s.first, []byte{}), exclusive)
		if r := c.startReply(q); r.ErrorCode != 0 {
			t.Fatalf("tombstone (exclusive %v): %+v", exclusive, r)
		}
		if r := c.readBox(s.r, s.first, true); r.ErrorCode != 11 || r.Plaintext != nil {
			t.Fatalf("read after tombstone (exclusive %v): %+v", exclusive, r)
		}
		if st := e.d.PigeonholeStats(); st.ConflictingWrites != 0 {
			t.Fatalf("a tombstone counted as a conflict: %+v", st)
		}
	}
}

// A write of other content to an occupied box is counted; the box keeps
// its first content; the same content again is no conflict.
func TestPigeonholeConflictingWrites(t *testing.T) {
	e := start(t, wire.Generation99)
	c := e.connect(nil)
	s := c.keypair()
	c.writeBox(s.w, s.first, []byte("first"))
	c.writeBox(s.w, s.first, []byte("first"))
	if st := e.d.PigeonholeStats(); st.ConflictingWrites != 0 {
		t.Fatalf("a rewrite of the same content counted: %+v", st)
	}
	c.writeBox(s.w, s.first, []byte("second")) // idempotent: answered 0
	q, _ := c.startWrite(s.w, c.encryptWrite(s.w, s.first, []byte("third")), true)
	if r := c.startReply(q); r.ErrorCode != 10 {
		t.Fatalf("exclusive: %+v", r)
	}
	if st := e.d.PigeonholeStats(); st.ConflictingWrites != 2 {
		t.Fatalf("ConflictingWrites = %d, want 2", st.ConflictingWrites)
	}
	if r := c.readBox(s.r, s.first, true); string(r.Plaintext) != "first" {
		t.Fatalf("box holds %q", r.Plaintext)
	}
	if e.d.WriteBox(s.w, s.first, []byte("fourth")) {
		t.Fatal("WriteBox over other content succeeded")
	}
	if !e.d.WriteBox(s.w, s.first, []byte{}) {
		t.Fatal("WriteBox of a tombstone over content failed")
	}
	if st := e.d.PigeonholeStats(); st.ConflictingWrites != 3 {
		t.Fatalf("ConflictingWrites = %d, want 3", st.ConflictingWrites)
	}
}
