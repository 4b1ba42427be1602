package mock_test

import (
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

// open sends a session token and returns the reply, reading past (and
// returning) the events that came before it.
func (c *client) open(token wire.Token) (*wire.SessionTokenReply, []*wire.Response) {
	c.t.Helper()
	c.writeToken(token)
	var before []*wire.Response
	for {
		r := c.next()
		if r.SessionTokenReply != nil {
			return r.SessionTokenReply, before
		}
		before = append(before, r)
	}
}

func TestSessionNew(t *testing.T) {
	e := start(t, wire.Generation99)
	a, _ := e.dial().handshakeAnd().open(wire.NewToken())
	b, _ := e.dial().handshakeAnd().open(wire.NewToken())
	if a.Resumed || b.Resumed || a.AppID == nil || b.AppID == nil || *a.AppID == *b.AppID {
		t.Fatalf("two new sessions: %+v %+v", a, b)
	}
	if st := e.d.Stats(); st.SessionTokens != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func (c *client) handshakeAnd() *client {
	c.t.Helper()
	c.handshake()
	return c
}

// TestSessionResume: a reply that arrives while the client is away is
// flushed on the new connection BEFORE the session_token_reply.
func TestSessionResume(t *testing.T) {
	e := start(t, wire.Generation99)
	token := wire.NewToken()
	c := e.dial().handshakeAnd()
	first, _ := c.open(token)

	e.d.HoldReplies()
	surb := c.sendSURB(e.dest("echo"), []byte("while you were away"))
	c.expectSent(surb)
	e.sync()
	e.d.DropConnections() // returns with the session detached
	c.expectEOF()
	e.d.ReleaseReplies() // the reply reaches the waiting session

	c2 := e.dial().handshakeAnd()
	reply, before := c2.open(token)
	if !reply.Resumed || *reply.AppID != *first.AppID {
		t.Fatalf("resume: %+v, want app %s resumed", reply, first.AppID)
	}
	if len(before) != 1 || before[0].MessageReply == nil || *before[0].MessageReply.SURBID != surb {
		t.Fatalf("want the held reply before the token reply, got %d events", len(before))
	}
	checkPadded(t, before[0].MessageReply.Payload, []byte("while you were away"), mock.DefaultReplySize)

	// The resumed session works on.
	surb = c2.sendSURB(e.dest("echo"), []byte("back"))
	c2.expectSent(surb)
	c2.expectReply(surb, []byte("back"), mock.DefaultReplySize)
}

// The same, with the reply arriving by latency while the client is away.
func TestSessionResumeLatency(t *testing.T) {
	got := make(chan struct{})
	e := start(t, wire.Generation99, mock.WithLatency(time.Millisecond), mock.WithService("slow", func(p []byte) []byte {
		<-got // the reply is produced only once the client is gone
		return p
	}))
	token := wire.NewToken()
	c := e.dial().handshakeAnd()
	first, _ := c.open(token)
	surb := c.sendSURB(e.dest("slow"), []byte("late"))
	c.expectSent(surb)
	e.sync()
	e.d.DropConnections()
	close(got)
	// The reply is delivered to the waiting session once the service
	// returns; reconnect right away: either it is already pending, or it
	// comes after the token reply on the resumed connection.
	c2 := e.dial().handshakeAnd()
	reply, before := c2.open(token)
	if !reply.Resumed || *reply.AppID != *first.AppID {
		t.Fatalf("resume: %+v", reply)
	}
	if len(before) == 0 {
		c2.expectReply(surb, []byte("late"), mock.DefaultReplySize)
	} else if before[0].MessageReply == nil || *before[0].MessageReply.SURBID != surb {
		t.Fatalf("flushed %s", describe(before[0]))
	}
}

func TestSessionExpired(t *testing.T) {
	e := start(t, wire.Generation99, mock.WithGracePeriod(time.Nanosecond))
	token := wire.NewToken()
	c := e.dial().handshakeAnd()
	first, _ := c.open(token)
	e.d.HoldReplies()
	c.sendSURB(e.dest("echo"), []byte("too late"))
	c.next() // sent
	e.sync()
	e.d.DropConnections()
	e.d.ReleaseReplies() // into the session, which expires
	second, before := e.dial().handshakeAnd().open(token)
	if second.Resumed || *second.AppID == *first.AppID || len(before) != 0 {
		t.Fatalf("after the grace period: %+v and %d events, want a new session", second, len(before))
	}
	if st := e.d.Stats(); st.RepliesDropped != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestSessionThinCloseNotResumable(t *testing.T) {
	e := start(t, wire.Generation99)
	token := wire.NewToken()
	c := e.dial().handshakeAnd()
	first, _ := c.open(token)
	c.write((&wire.Request99{ThinClose: &wire.ThinClose{}}).AppendFrame(nil))
	c.expectEOF()
	e.sync()
	second, _ := e.dial().handshakeAnd().open(token)
	if second.Resumed || *second.AppID == *first.AppID {
		t.Fatalf("after thin close: %+v, want a new session", second)
	}
}

// A connection without a token is a legacy application: dropped at
// disconnect, its replies lost.
func TestSessionLegacy(t *testing.T) {
	e := start(t, wire.Generation99)
	c := e.dial().handshakeAnd()
	e.d.HoldReplies()
	surb := c.sendSURB(e.dest("echo"), []byte("legacy"))
	c.expectSent(surb)
	e.sync()
	e.d.DropConnections()
	e.d.ReleaseReplies()
	if st := e.d.Stats(); st.RepliesDropped != 1 {
		t.Fatalf("stats %+v", st)
	}
	reply, before := e.dial().handshakeAnd().open(wire.NewToken())
	if reply.Resumed || len(before) != 0 {
		t.Fatalf("%+v, %d events", reply, len(before))
	}
}

// Reconnecting before the daemon noticed the old connection died moves
// the session (and closes the old connection).
func TestSessionTakeover(t *testing.T) {
	e := start(t, wire.Generation99)
	token := wire.NewToken()
	old := e.dial().handshakeAnd()
	first, _ := old.open(token)
	c := e.dial().handshakeAnd()
	second, _ := c.open(token)
	if !second.Resumed || *second.AppID != *first.AppID {
		t.Fatalf("takeover: %+v", second)
	}
	old.expectEOF()
	surb := c.sendSURB(e.dest("echo"), []byte("moved"))
	c.expectSent(surb)
	c.expectReply(surb, []byte("moved"), mock.DefaultReplySize)
}

// A client that loses its socket and reconnects with its token resumes,
// whether or not the daemon has noticed the old socket's end yet.
func TestSessionResumeAfterClientClose(t *testing.T) {
	e := start(t, wire.Generation99)
	token := wire.NewToken()
	c := e.dial().handshakeAnd()
	first, _ := c.open(token)
	c.conn.Close()
	second, _ := e.dial().handshakeAnd().open(token)
	if !second.Resumed || *second.AppID != *first.AppID {
		t.Fatalf("reconnect: %+v, want app %s resumed", second, first.AppID)
	}
}
