package mock

import (
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

// detachLocked settles a's fate when its connection c ends. A v0.0.99
// session (an app with a token) whose socket was merely lost waits for its
// client within the grace period, keeping the replies that arrive; every
// other application is gone. The caller holds d.mu.
func (d *Daemon) detachLocked(a *app, c *conn, kind endKind) {
	if a.conn.Load() != c {
		return // the session has moved to another connection
	}
	a.conn.Store(nil)
	if a.token != nil && kind == endLost && !d.closed {
		a.state = appDetached
		a.detachSeq++
		a.expires = time.Now().Add(d.opts.grace)
		seq := a.detachSeq
		d.sched.at(a.expires, func(time.Time) { d.expire(a, seq) })
		return
	}
	d.dropAppLocked(a)
}

// dropAppLocked forgets a for good: its events from now on are dropped.
func (d *Daemon) dropAppLocked(a *app) {
	a.state = appGone
	a.dead.Store(true)
	a.conn.Store(nil)
	if a.token != nil && d.sessions[*a.token] == a {
		delete(d.sessions, *a.token)
	}
	d.counters.dropped.Add(int64(len(a.pending)))
	a.pending = nil
	d.ph.DropSession(phApp{a}) // Pigeonhole operations end silently (9.8)
}

// expire ends a detached session whose grace period has passed, unless it
// was resumed (or detached again) since.
func (d *Daemon) expire(a *app, seq uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if a.state == appDetached && a.detachSeq == seq {
		d.dropAppLocked(a)
	}
}

// sessionToken handles a v0.0.99 session_token request: the client's
// token names its session. A session waiting within its grace period is
// resumed on this connection, its pending replies flushed BEFORE the
// session_token_reply (as the real daemon does); an unknown or expired
// token makes this connection's application the token's session.
//
// Guesses where the capture says nothing: a null token leaves the
// connection a legacy (tokenless) application; a second token on a
// connection that already has a session changes nothing; a token whose
// session is live on another connection moves the session here and closes
// that other connection.
func (c *conn) sessionToken(st *wire.SessionToken) {
	d := c.d
	d.counters.sessionTokens.Add(1)
	var takenFrom *conn
	defer func() {
		if takenFrom != nil {
			takenFrom.end(endLost)
		}
	}()

	d.mu.Lock()
	defer d.mu.Unlock()
	cur := c.app.Load()
	if st.ClientInstanceToken == nil || cur.token != nil || cur.state != appAttached {
		c.sendTokenReplyLocked(cur.id, false)
		return
	}
	token := *st.ClientInstanceToken
	s := d.sessions[token]
	if s != nil && s.state == appDetached && !time.Now().Before(s.expires) {
		d.dropAppLocked(s) // expired; its expiry task has not run yet
		s = nil
	}
	if s == nil {
		cur.token = &token
		d.sessions[token] = cur
		c.sendTokenReplyLocked(cur.id, false)
		return
	}

	// Resume s here; this connection's provisional application is dropped.
	if old := s.conn.Load(); old != nil {
		takenFrom = old
	}
	d.dropAppLocked(cur)
	for i := range s.pending {
		c.sendEvent(&s.pending[i])
	}
	s.pending = nil
	// Attached before the reply goes out: once the client has the reply,
	// whatever settles for the session reaches this connection. (Pigeonhole
	// answers look at s.conn without d.mu: attached after the reply, an
	// answer settled in between was counted lost while away, about one
	// run in 300 of TestPigeonholeAnsweredAfterResume.) Such an answer may
	// come before the reply, as the flushed events do.
	s.state = appAttached
	s.conn.Store(c)
	c.app.Store(s)
	c.sendTokenReplyLocked(s.id, true)
}

func (c *conn) sendTokenReplyLocked(id wire.Token, resumed bool) {
	r := wire.Response{SessionTokenReply: &wire.SessionTokenReply{AppID: &id, Resumed: resumed}}
	c.sendResponse(&r)
}
