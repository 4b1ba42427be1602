package mock_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

func TestSURBEcho(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e := start(t, gen)
		c := e.connect(&wire.Token{1})
		payload := []byte("hello from the mock test (surb)")
		before := time.Now().Truncate(time.Second)
		surb := c.sendSURB(e.dest("echo"), payload)
		s := c.expectSent(surb)
		if s.SentAt.Before(before) || s.SentAt.After(time.Now()) || s.ReplyETA != mock.DefaultReplyETA {
			t.Fatalf("sent_at %v, reply_eta %v", s.SentAt, s.ReplyETA)
		}
		c.expectReply(surb, payload, mock.DefaultReplySize)
		st := e.d.Stats()
		if st.SURBSends != 1 || st.RepliesSent != 1 || st.ConnectionsOpen != 1 || st.ConnectionsAccepted != 1 {
			t.Fatalf("stats %+v", st)
		}
	})
}

func TestServicesAndSizes(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		long := bytes.Repeat([]byte("x"), 300)
		e := start(t, gen,
			mock.WithReplySize(100),
			mock.WithMaxPayload(10),
			mock.WithService("long", func([]byte) []byte { return long }),
			mock.WithService("upper", func(p []byte) []byte { return bytes.ToUpper(p) }),
		)
		c := e.connect(&wire.Token{2})
		surb := c.sendSURB(e.dest("upper"), []byte("abc"))
		c.expectSent(surb)
		c.expectReply(surb, []byte("ABC"), 100)
		surb = c.sendSURB(e.dest("long"), []byte("0123456789"))
		c.expectSent(surb)
		c.expectReply(surb, long, 100) // truncated to the reply size
	})
}

func TestServiceRemoved(t *testing.T) {
	d := mock.New(mock.WithService("echo", nil), mock.WithService("ping", func(p []byte) []byte { return p }))
	defer d.Close()
	sn := d.Document().ServiceNodes[0]
	if _, ok := sn.Endpoint("echo"); ok {
		t.Fatal("echo still offered after WithService(echo, nil)")
	}
	if _, ok := sn.Endpoint("ping"); !ok {
		t.Fatal("ping not offered")
	}
}

func TestLatency(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		const latency = 30 * time.Millisecond
		e := start(t, gen, mock.WithLatency(latency))
		c := e.connect(&wire.Token{3})
		begin := time.Now()
		surb := c.sendSURB(e.dest("echo"), []byte("slow"))
		if s := c.expectSent(surb); s.ReplyETA != latency {
			t.Fatalf("reply_eta %v, want %v", s.ReplyETA, latency)
		}
		c.expectReply(surb, []byte("slow"), mock.DefaultReplySize)
		if el := time.Since(begin); el < latency {
			t.Fatalf("reply after %v, before the latency of %v", el, latency)
		}
	})
}

func TestUnknownDestination(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e := start(t, gen)
		c := e.connect(&wire.Token{4})
		echo := e.dest("echo")
		for _, dst := range []dest{
			{hash: make([]byte, 32), queue: echo.queue},  // no such node
			{hash: echo.hash, queue: []byte("+nowhere")}, // no such service
		} {
			surb := c.sendSURB(dst, []byte("lost"))
			c.expectSent(surb) // the daemon did put it on the wire
		}
		c.expectMarker(true) // and no reply came before it
		if st := e.d.Stats(); st.Unroutable != 2 || st.RepliesSent != 0 {
			t.Fatalf("stats %+v", st)
		}
	})
}

func TestNoReplySend(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		got := make(chan []byte, 1)
		e := start(t, gen, mock.WithService("sink", func(p []byte) []byte {
			got <- p
			return nil
		}))
		c := e.connect(&wire.Token{5})
		c.sendNoReply(e.dest("sink"), []byte("fire and forget"))
		c.expectMarker(true) // no event for it
		switch gen {
		case wire.Generation47:
			if p := <-got; string(p) != "fire and forget" {
				t.Fatalf("service got %q", p)
			}
		case wire.Generation99:
			// The real service node drops a message sent without SURB.
			select {
			case p := <-got:
				t.Fatalf("v0.0.99 service got %q", p)
			default:
			}
		}
		if st := e.d.Stats(); st.NoReplySends != 1 {
			t.Fatalf("stats %+v", st)
		}
	})
}

func TestNoReplySendWithLatency(t *testing.T) {
	got := make(chan []byte, 1)
	e := start(t, wire.Generation47, mock.WithLatency(time.Millisecond), mock.WithService("sink", func(p []byte) []byte {
		got <- p
		return nil
	}))
	c := e.connect(nil)
	c.sendNoReply(e.dest("sink"), []byte("later"))
	select {
	case p := <-got:
		if string(p) != "later" {
			t.Fatalf("service got %q", p)
		}
	case <-ctxTimeout(t).Done():
		t.Fatal("the service never got the message")
	}
}

func TestRoutingToSender(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e := start(t, gen, mock.WithLatency(time.Millisecond))
		const sends = 20
		echo := e.dest("echo")
		// Parallel clients, each on its own test goroutine, each expecting
		// the replies to exactly its own sends.
		for i := range 4 {
			t.Run(fmt.Sprint("client", i), func(t *testing.T) {
				t.Parallel()
				token := wire.NewToken()
				c := (&env{t: t, d: e.d, gen: gen}).connect(&token)
				want := map[wire.SURBID][]byte{}
				for j := range sends {
					p := fmt.Appendf(nil, "client %d message %d", i, j)
					want[c.sendSURB(echo, p)] = p
				}
				for len(want) > 0 {
					r := c.next()
					if s := r.MessageSent; s != nil {
						if _, ok := want[*s.SURBID]; !ok {
							t.Fatal("sent event for another client's SURB")
						}
						continue
					}
					m := r.MessageReply
					if m == nil {
						t.Fatalf("want a reply, got %s", describe(r))
					}
					p, ok := want[*m.SURBID]
					if !ok || !bytes.HasPrefix(m.Payload, p) {
						t.Fatal("reply for another client's SURB, or with another's payload")
					}
					delete(want, *m.SURBID)
				}
			})
		}
	})
}

func TestThinClose(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e := start(t, gen)
		c := e.connect(&wire.Token{7})
		if gen == wire.Generation99 {
			req := wire.Request99{ThinClose: &wire.ThinClose{}}
			c.write(req.AppendFrame(nil))
		} else {
			req := wire.Request{IsThinClose: true}
			c.write(req.AppendFrame(nil))
		}
		c.expectEOF()
		e.sync()
		if st := e.d.Stats(); st.ThinCloses != 1 || st.ConnectionsOpen != 0 || st.Violations != 0 {
			t.Fatalf("stats %+v", st)
		}
	})
}

func TestDecoys(t *testing.T) {
	e := start(t, wire.Generation47)
	c := e.connect(nil)
	for _, req := range []wire.Request{{IsLoopDecoy: true}, {IsDropDecoy: true}} {
		c.write(req.AppendFrame(nil))
	}
	c.expectMarker(true)
	if st := e.d.Stats(); st.Decoys != 2 || st.Violations != 0 {
		t.Fatalf("stats %+v", st)
	}
}
