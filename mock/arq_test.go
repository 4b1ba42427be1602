package mock_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

func TestLoss(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e := start(t, gen, mock.WithLoss(1))
		c := e.connect(&wire.Token{20})
		for range 3 {
			surb := c.sendSURB(e.dest("echo"), []byte("into the void"))
			c.expectSent(surb) // the send itself succeeds
		}
		// Loss is daemon-wide, so the frame that proves no reply came is
		// one the daemon sends itself: a status event, queued after
		// everything the sends caused.
		c.expectMarker(true)
		if st := e.d.Stats(); st.RepliesLost != 3 || st.RepliesSent != 0 {
			t.Fatalf("stats %+v", st)
		}
	})
}

func TestLossPartial(t *testing.T) {
	e := start(t, wire.Generation47, mock.WithLoss(0.5))
	c := e.connect(nil)
	const n = 200
	for range n {
		c.sendSURB(e.dest("echo"), []byte("maybe"))
	}
	e.sync()
	e.d.SetConnected(true)
	replies := 0
	for r := c.next(); r.ConnectionStatus == nil; r = c.next() {
		if r.MessageReply != nil {
			replies++
		}
	}
	st := e.d.Stats()
	if st.RepliesLost+st.RepliesSent != n || st.RepliesSent != int64(replies) || st.RepliesLost < n/5 || st.RepliesSent < n/5 {
		t.Fatalf("loss 0.5 of %d replies: %d lost, %d sent, %d received", n, st.RepliesLost, st.RepliesSent, replies)
	}
}

// arqTiming is a short ARQ clock for tests: the GC event is due long after
// the last retransmission so that the order below is fixed.
var arqTiming = mock.WithARQTiming(5*time.Millisecond, 100*time.Millisecond)

func TestARQSuccess(t *testing.T) {
	e := start(t, wire.Generation47, arqTiming)
	c := e.connect(nil)
	payload := []byte("hello from the mock test (arq)")
	id := c.sendARQ(e.dest("echo"), payload)

	r := c.next()
	s := r.MessageSent
	if s == nil || s.MessageID == nil || *s.MessageID != id || s.SURBID == nil || s.Err != nil {
		t.Fatalf("want ARQ sent event, got %s %+v", describe(r), s)
	}
	r = c.next()
	m := r.MessageReply
	if m == nil || m.MessageID == nil || *m.MessageID != id || m.SURBID == nil || *m.SURBID != *s.SURBID || m.Err != nil {
		t.Fatalf("want ARQ reply, got %s %+v", describe(r), m)
	}
	checkPadded(t, m.Payload, payload, mock.DefaultReplySize)
	r = c.next()
	if g := r.MessageIDGarbageCollected; g == nil || *g.MessageID != id {
		t.Fatalf("want garbage collected event, got %s", describe(r))
	}
	if st := e.d.Stats(); st.ARQSends != 1 || st.Retransmissions != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestARQGivesUp(t *testing.T) {
	e := start(t, wire.Generation47, arqTiming, mock.WithLoss(1))
	c := e.connect(nil)
	id := c.sendARQ(e.dest("echo"), []byte("never answered"))

	// The first transmission and three retransmissions, each with its own
	// daemon-chosen SURB ID.
	seen := map[wire.SURBID]bool{}
	var last wire.SURBID
	for i := range 4 {
		r := c.next()
		s := r.MessageSent
		if s == nil || *s.MessageID != id || s.Err != nil {
			t.Fatalf("transmission %d: want sent event, got %s", i, describe(r))
		}
		if seen[*s.SURBID] {
			t.Fatalf("transmission %d reuses a SURB ID", i)
		}
		seen[*s.SURBID] = true
		last = *s.SURBID
	}
	raw := c.nextRaw()
	var r wire.Response
	wire.DecodeResponse(raw, &r)
	m := r.MessageReply
	if m == nil || *m.MessageID != id || *m.SURBID != last || m.Err == nil {
		t.Fatalf("want the give-up reply, got %s %+v", describe(&r), m)
	}
	fields := eventFields(t, raw, "message_reply_event")
	if !bytes.Equal(fields["err"], []byte{0xa0}) {
		t.Fatalf("give-up err %x, want {}", fields["err"])
	}
	if !bytes.Equal(fields["payload"], []byte{0x40}) {
		t.Fatalf("give-up payload %x, want an empty byte string", fields["payload"])
	}
	r2 := c.next()
	if g := r2.MessageIDGarbageCollected; g == nil || *g.MessageID != id {
		t.Fatalf("want garbage collected event, got %s", describe(r2))
	}
	if st := e.d.Stats(); st.Retransmissions != 3 || st.RepliesLost != 4 {
		t.Fatalf("stats %+v", st)
	}
}

func TestARQUnroutable(t *testing.T) {
	e := start(t, wire.Generation47, mock.WithARQTiming(time.Millisecond, time.Millisecond))
	c := e.connect(nil)
	id := c.sendARQ(dest{hash: make([]byte, 32), queue: []byte("+echo")}, []byte("nowhere"))
	for range 4 {
		if r := c.next(); r.MessageSent == nil {
			t.Fatalf("want sent event, got %s", describe(r))
		}
	}
	if r := c.next(); r.MessageReply == nil || r.MessageReply.Err == nil {
		t.Fatalf("want give-up, got %s", describe(r))
	}
	// The GC delay passed long before the give-up: GC comes right after.
	if r := c.next(); r.MessageIDGarbageCollected == nil || *r.MessageIDGarbageCollected.MessageID != id {
		t.Fatalf("want GC, got %s", describe(r))
	}
}

func TestARQOffline(t *testing.T) {
	e := start(t, wire.Generation47, mock.WithOffline(), arqTiming)
	c := e.connect(nil)
	id := c.sendARQ(e.dest("echo"), []byte("offline"))
	r := c.next()
	if s := r.MessageSent; s == nil || *s.MessageID != id || s.Err == nil {
		t.Fatalf("want failed sent event, got %s", describe(r))
	}
	c.expectMarker(false)
}

func TestARQWithLatency(t *testing.T) {
	e := start(t, wire.Generation47, mock.WithLatency(2*time.Millisecond), arqTiming)
	c := e.connect(nil)
	id := c.sendARQ(e.dest("echo"), []byte("later"))
	if r := c.next(); r.MessageSent == nil || r.MessageSent.ReplyETA != 2*time.Millisecond {
		t.Fatalf("want sent event with the latency as ETA, got %s", describe(r))
	}
	if r := c.next(); r.MessageReply == nil || *r.MessageReply.MessageID != id {
		t.Fatalf("want reply, got %s", describe(r))
	}
}

// An ARQ whose connection closes is forgotten: nothing goes to the next
// connection (v0.0.47 replies follow the connection, not the client).
func TestARQConnectionClosed(t *testing.T) {
	e := start(t, wire.Generation47, mock.WithLoss(1), mock.WithARQTiming(time.Millisecond, 2*time.Millisecond))
	c := e.connect(nil)
	c.sendARQ(e.dest("echo"), []byte("orphan"))
	c.next() // sent
	c.conn.Close()
	c2 := e.connect(nil)
	c2.expectMarker(true)
}
