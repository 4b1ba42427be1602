package mock_test

import (
	"testing"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

func TestHoldRelease(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e := start(t, gen)
		c := e.connect(&wire.Token{40})
		e.d.HoldReplies()
		var surbs []wire.SURBID
		for range 3 {
			surb := c.sendSURB(e.dest("echo"), []byte("parked"))
			c.expectSent(surb) // sent events are not held
			surbs = append(surbs, surb)
		}
		c.expectMarker(true) // and no reply came
		if st := e.d.Stats(); st.RepliesHeld != 3 || st.RepliesSent != 0 {
			t.Fatalf("stats %+v", st)
		}
		e.d.ReleaseReplies()
		for _, surb := range surbs { // in order
			c.expectReply(surb, []byte("parked"), mock.DefaultReplySize)
		}
		if st := e.d.Stats(); st.RepliesHeld != 0 || st.RepliesSent != 3 {
			t.Fatalf("stats %+v", st)
		}
		// Released: replies flow again.
		surb := c.sendSURB(e.dest("echo"), []byte("free"))
		c.expectSent(surb)
		c.expectReply(surb, []byte("free"), mock.DefaultReplySize)
	})
}

// Many held replies to a client that reads them concurrently: the release
// paces itself by the client.
func TestHoldManyReplies(t *testing.T) {
	e := start(t, wire.Generation47)
	c := e.connect(nil)
	e.d.HoldReplies()
	const n = 2000 // 2000 × 2.6 kB: above the release's high-water mark
	for range n {
		c.sendSURB(e.dest("echo"), []byte("bulk"))
	}
	for range n {
		if r := c.next(); r.MessageSent == nil {
			t.Fatal(describe(r))
		}
	}
	e.sync()
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.d.ReleaseReplies()
	}()
	for range n {
		if r := c.next(); r.MessageReply == nil {
			t.Fatal(describe(r))
		}
	}
	<-done
}

func TestReleaseOne(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e := start(t, gen)
		c := e.connect(&wire.Token{41})
		if e.d.ReleaseOne() {
			t.Fatal("ReleaseOne with nothing held")
		}
		e.d.HoldReplies()
		var surbs []wire.SURBID
		for range 3 {
			surb := c.sendSURB(e.dest("echo"), []byte("one by one"))
			c.expectSent(surb)
			surbs = append(surbs, surb)
		}
		e.sync()
		for i, surb := range surbs { // oldest first, one at a time
			if !e.d.ReleaseOne() {
				t.Fatalf("ReleaseOne %d: nothing held", i)
			}
			c.expectReply(surb, []byte("one by one"), mock.DefaultReplySize)
			c.expectMarker(true) // and only that one
			if st := e.d.Stats(); st.RepliesHeld != int64(len(surbs)-1-i) || st.RepliesSent != int64(i+1) {
				t.Fatalf("after %d: stats %+v", i+1, st)
			}
		}
		if e.d.ReleaseOne() {
			t.Fatal("ReleaseOne with nothing left")
		}
		// Still holding: a new reply waits.
		surb := c.sendSURB(e.dest("echo"), []byte("later"))
		c.expectSent(surb)
		c.expectMarker(true)
		e.d.ReleaseReplies()
		c.expectReply(surb, []byte("later"), mock.DefaultReplySize)
	})
}
