package mock_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

// intervals hands out 1 ms, 2 ms, 3 ms, ... and remembers them.
type intervals struct {
	mu   sync.Mutex
	give []time.Duration
}

func (iv *intervals) next() time.Duration {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	d := time.Duration(len(iv.give)+1) * time.Millisecond
	iv.give = append(iv.give, d)
	return d
}

func (iv *intervals) given() []time.Duration {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	return append([]time.Duration(nil), iv.give...)
}

// TestPacingOnePerSlot: n messages queued at once leave in order, one
// per slot, each slot exactly its interval after the one before (the
// first its interval after the queueing), and no slot is drawn for an
// empty queue.
func TestPacingOnePerSlot(t *testing.T) {
	var iv intervals
	d := mock.Start(t, mock.WithPacingIntervals(iv.next))
	const n = 16
	type left struct {
		i    int
		slot time.Time
	}
	out := make(chan left, n)
	sends := make([]func(time.Time), n)
	for i := range sends {
		sends[i] = func(slot time.Time) { out <- left{i, slot} }
	}
	queued := mock.PaceForTest(d, sends...)
	var got []left
	for range n {
		got = append(got, <-out)
	}
	given := iv.given()
	if len(given) != n {
		t.Fatalf("%d slots drawn for %d messages", len(given), n)
	}
	prev := queued
	for k, l := range got {
		if l.i != k {
			t.Fatalf("message %d left on slot %d", l.i, k)
		}
		if want := prev.Add(given[k]); !l.slot.Equal(want) {
			t.Fatalf("slot %d at %v after the one before, want %v", k, l.slot.Sub(prev), given[k])
		}
		prev = l.slot
	}
	if q := mock.PacedQueue(d); q != 0 {
		t.Fatalf("%d still queued", q)
	}
}

// TestPacingSURB: a burst of SURB sends gets its sent events and replies
// in the order sent, each reply after its own sent event, every one on a
// slot of its own, in both generations.
func TestPacingSURB(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		var iv intervals
		e := start(t, gen, mock.WithPacingIntervals(iv.next))
		c := e.connect(&[]wire.Token{wire.NewToken()}[0])
		dst := e.dest("echo")
		const n = 8
		var ids []wire.SURBID
		var payloads [][]byte
		for i := range n {
			p := []byte(fmt.Sprintf("burst %d", i))
			payloads = append(payloads, p)
			ids = append(ids, c.sendSURB(dst, p))
		}
		for i := range n {
			c.expectSent(ids[i])
			c.expectReply(ids[i], payloads[i], mock.DefaultReplySize)
		}
		if got := len(iv.given()); got != n {
			t.Fatalf("%d slots for %d sends", got, n)
		}
	})
}

// TestPacingARQ: every ARQ transmission waits for a slot too.
func TestPacingARQ(t *testing.T) {
	var iv intervals
	e := start(t, wire.Generation47, mock.WithPacingIntervals(iv.next))
	c := e.connect(nil)
	id := c.sendARQ(e.dest("echo"), []byte("reliable"))
	r := c.next()
	if r.MessageSent == nil || r.MessageSent.MessageID == nil || *r.MessageSent.MessageID != id {
		t.Fatalf("want the ARQ's sent event, got %s", describe(r))
	}
	r = c.next()
	if r.MessageReply == nil || !bytes.HasPrefix(r.MessageReply.Payload, []byte("reliable")) {
		t.Fatalf("want the ARQ's reply, got %s", describe(r))
	}
	if got := len(iv.given()); got != 1 {
		t.Fatalf("%d slots for one transmission", got)
	}
}

// TestSendPacingOption: a negative mean is refused; zero is off; the
// document's LambdaP is a rate per millisecond.
func TestSendPacingOption(t *testing.T) {
	d := mock.New(mock.WithSendPacing(-time.Second))
	l, err := net.Listen("unix", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Serve(l); !errors.Is(err, mock.ErrInvalidOption) {
		t.Fatalf("Serve with a negative pacing mean: %v", err)
	}
	d.Close()
	for lambda, want := range map[float64]time.Duration{
		0.001: time.Second, 0.1: 10 * time.Millisecond, 0: 0, -1: 0,
	} {
		if got := mock.DocumentMean(lambda); got != want {
			t.Errorf("LambdaP %v: mean %v, want %v", lambda, got, want)
		}
	}
	// The mean follows the document the daemon serves now: with a
	// LambdaP of a million per millisecond, sends go through at once.
	e := start(t, wire.Generation47, mock.WithDocumentPacing())
	doc := *e.d.Document()
	doc.LambdaP = 1e6
	e.d.PublishDocument(&doc)
	c := e.connect(nil)
	for i := range 3 {
		p := []byte{byte(i)}
		id := c.sendSURB(e.dest("echo"), p)
		c.expectSent(id)
		c.expectReply(id, p, mock.DefaultReplySize)
	}
}
