package mock

import (
	"fmt"

	"github.com/katzenthin/katzenthin/pki"
)

// SetConnected sets whether the daemon is connected to the mixnet and sends
// every client a connection status event saying so (also when nothing
// changed). While not connected, SURB and ARQ sends get a sent event with
// err set and no reply, sends without SURB go nowhere, and replies that
// fall due are lost. It is safe for concurrent use.
func (d *Daemon) SetConnected(connected bool) {
	defer d.phWake() // after the status events, outside d.mu
	d.mu.Lock()
	defer d.mu.Unlock()
	d.connected.Store(connected)
	frame := d.status[0]
	if connected {
		frame = d.status[1]
	}
	for c := range d.conns {
		c.sendFrame(frame)
	}
}

// PublishDocument makes doc the daemon's document: every client gets a
// new_pki_document_event, new connections get doc in their handshake,
// sends are routed by doc's service nodes, and (v0.0.99) get_pki_document
// answers for its epoch. doc must not be modified afterwards. It panics
// if doc is nil or does not marshal: a bug in the test. It is safe for
// concurrent use.
func (d *Daemon) PublishDocument(doc *pki.Document) {
	if doc == nil {
		panic("mock: PublishDocument(nil)")
	}
	st, err := newDocState(doc, d.gen, d.opts.services)
	if err != nil {
		panic(fmt.Sprintf("mock: PublishDocument: %v", err))
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.state.Store(st)
	docs := []*docState{st}
	for _, old := range d.docs {
		if old.doc.Epoch != doc.Epoch && len(docs) < maxCachedDocuments {
			docs = append(docs, old)
		}
	}
	d.docs = docs
	for c := range d.conns {
		c.sendFrame(st.frame)
	}
}

// documentFor returns the document of epoch (0: the current one), or nil
// when the daemon has none for it.
func (d *Daemon) documentFor(epoch uint64) *docState {
	if epoch == 0 {
		return d.state.Load()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, st := range d.docs {
		if st.doc.Epoch == epoch {
			return st
		}
	}
	return nil
}

// DropConnections closes every client socket at once, as a daemon crash
// would: no shutdown event, queued frames lost. Applications of v0.0.47
// are gone (their replies are dropped); v0.0.99 sessions with a token stay
// resumable within the grace period, keeping the replies that arrive
// meanwhile. When it returns, every connection is detached. It is safe for
// concurrent use.
func (d *Daemon) DropConnections() {
	d.mu.Lock()
	conns := make([]*conn, 0, len(d.conns))
	for c := range d.conns {
		conns = append(conns, c)
	}
	d.mu.Unlock()
	for _, c := range conns {
		c.end(endLost)
	}
}
