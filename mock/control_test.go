package mock_test

import (
	"bytes"
	"testing"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

func TestOffline(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e := start(t, gen, mock.WithOffline())
		c := e.dial()
		raw := c.nextRaw()
		var r wire.Response
		if err := wire.DecodeResponse(raw, &r); err != nil || r.ConnectionStatus == nil || r.ConnectionStatus.IsConnected {
			t.Fatalf("first frame: %v %s", err, describe(&r))
		}
		errRaw := eventFields(t, raw, "connection_status_event")["err"]
		switch gen {
		case wire.Generation47: // {}: the error's text is lost
			if !bytes.Equal(errRaw, []byte{0xa0}) {
				t.Fatalf("offline v0.0.47 status err %x, want {}", errRaw)
			}
		case wire.Generation99: // always null
			if !bytes.Equal(errRaw, []byte{0xf6}) {
				t.Fatalf("offline v0.0.99 status err %x, want null", errRaw)
			}
		}
		c.next() // document
		if gen == wire.Generation99 {
			c.writeToken(wire.Token{8})
			c.next()
		}

		surb := c.sendSURB(e.dest("echo"), []byte("nobody hears"))
		r2 := c.next()
		if s := r2.MessageSent; s == nil || *s.SURBID != surb || s.Err == nil {
			t.Fatalf("want a failed sent event, got %s %+v", describe(r2), r2.MessageSent)
		}
		if gen == wire.Generation99 && r2.MessageSent.Err.Text == "" {
			t.Fatal("v0.0.99 sent event err has no text")
		}

		c.expectMarker(true) // no reply before it: now connected again
		surb = c.sendSURB(e.dest("echo"), []byte("now it works"))
		c.expectSent(surb)
		c.expectReply(surb, []byte("now it works"), mock.DefaultReplySize)
		if st := e.d.Stats(); st.Refused != 1 {
			t.Fatalf("stats %+v", st)
		}
	})
}

func TestSetConnected(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e := start(t, gen)
		a, b := e.connect(nil), e.connect(nil)
		e.d.SetConnected(false)
		for _, c := range []*client{a, b} {
			s := c.expectStatus(false)
			if (gen == wire.Generation47) != (s.Err != nil) {
				t.Fatalf("offline status err %v", s.Err)
			}
		}
		e.d.SetConnected(true)
		for _, c := range []*client{a, b} {
			if s := c.expectStatus(true); s.Err != nil {
				t.Fatalf("online status err %v", s.Err)
			}
		}
		// A new connection's handshake reflects the state.
		e.d.SetConnected(false)
		a.expectStatus(false)
		if s, _ := e.dial().handshake(); s.IsConnected {
			t.Fatal("handshake says connected while offline")
		}
	})
}

func TestPublishDocument(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e := start(t, gen)
		a := e.connect(&wire.Token{9})
		oldEcho := e.dest("echo")

		other := mock.New(mock.WithGeneration(gen)) // a document with other keys
		doc := other.Document()
		other.Close()
		e.d.PublishDocument(doc)

		r := a.next()
		if r.NewPKIDocument == nil {
			t.Fatalf("want new_pki_document_event, got %s", describe(r))
		}
		want, _ := doc.Marshal()
		if !bytes.Equal(r.NewPKIDocument.Payload, want) {
			t.Fatal("pushed document differs")
		}
		if e.d.Document() != doc {
			t.Fatal("Document() is not the published one")
		}
		if _, got := e.dial().handshake(); got.ServiceNodes[0].IdentityHash() != doc.ServiceNodes[0].IdentityHash() {
			t.Fatal("a new connection's handshake has the old document")
		}

		// Sends are routed by the new document.
		surb := a.sendSURB(oldEcho, []byte("old"))
		a.expectSent(surb)
		surb = a.sendSURB(e.dest("echo"), []byte("new"))
		a.expectSent(surb)
		a.expectReply(surb, []byte("new"), mock.DefaultReplySize)
		if st := e.d.Stats(); st.Unroutable != 1 {
			t.Fatalf("stats %+v", st)
		}
	})
}

func TestDropConnections(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e := start(t, gen)
		a, b := e.connect(&wire.Token{10}), e.connect(nil)
		e.d.DropConnections()
		if st := e.d.Stats(); st.ConnectionsOpen != 0 {
			t.Fatalf("%d connections open after DropConnections", st.ConnectionsOpen)
		}
		a.expectEOF()
		b.expectEOF()
		// The daemon serves on.
		c := e.connect(&wire.Token{11})
		surb := c.sendSURB(e.dest("echo"), []byte("still here"))
		c.expectSent(surb)
		c.expectReply(surb, []byte("still here"), mock.DefaultReplySize)
	})
}
