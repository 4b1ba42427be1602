package mock

import (
	"time"

	"github.com/katzenthin/katzenthin/mock/internal/storage"
	"github.com/katzenthin/katzenthin/wire"
)

// The seam to the Pigeonhole emulation (package mock/internal/storage):
// the daemon's clock and mixnet link, connections and applications as
// the store sees them, and the connection's start slots.

// handlePigeonhole hands a v0.0.99 request to the store. handled is false
// for a request with no Pigeonhole operation; stop is true when the
// connection has ended (a cap or index of the wrong length).
func (c *conn) handlePigeonhole(req *wire.Request99) (handled, stop bool) {
	return c.d.ph.Handle(phConn{c}, req)
}

// isStart reports whether req is a start_* request, which needs a slot.
func isStart(req *wire.Request99) bool { return storage.IsStart(req) }

// acquireStartSlot takes one of the connection's 16 start slots, blocking
// the connection's reading while all are taken (docs/protocol.md 9.7 item
// 1): later requests, cancels included, wait behind it. False if the
// connection ended meanwhile. The store frees the slot when the operation
// ends.
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

// phHost is the daemon as the store sees it.
type phHost struct{ d *Daemon }

func (h phHost) At(due time.Time, run func(time.Time)) { h.d.sched.at(due, run) }
func (h phHost) Connected() bool                       { return h.d.connected.Load() }

// phConn is a connection as the store sees it.
type phConn struct{ c *conn }

func (p phConn) Send(r *wire.Response) bool { return p.c.sendResponse(r) }
func (p phConn) CloseLost()                 { p.c.end(endLost) }
func (p phConn) Done() <-chan struct{}      { return p.c.stop }
func (p phConn) Session() storage.Session   { return phApp{p.c.app.Load()} }
func (p phConn) ReleaseStartSlot()          { p.c.releaseStartSlot() }
func (p phConn) AppID() string              { return p.c.appID().String() }
func (p phConn) LogRequest(kind string)     { p.c.logRequest(kind) }

// phApp is an application as the store sees it; equal for the same app.
type phApp struct{ a *app }

func (p phApp) Conn() storage.Conn {
	if c := p.a.conn.Load(); c != nil {
		return phConn{c}
	}
	return nil
}
