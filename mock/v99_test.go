package mock_test

import (
	"bytes"
	"testing"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

func TestErrorCodes99(t *testing.T) {
	e := start(t, wire.Generation99)
	c := e.connect(&wire.Token{30})
	echo := e.dest("echo")
	for _, tc := range []struct {
		name string
		msg  wire.SendMessage
		code wire.ErrorCode
	}{
		{"payload too large", wire.SendMessage{Payload: make([]byte, mock.DefaultMaxPayload+1)}, wire.ErrorCodePayloadTooLarge},
		{"missing destination", wire.SendMessage{DestinationIDHash: []byte{}}, wire.ErrorCodeInvalidRequest},
		{"empty queue", wire.SendMessage{RecipientQueueID: []byte{}}, wire.ErrorCodeInvalidRequest},
		{"long queue", wire.SendMessage{RecipientQueueID: make([]byte, 33)}, wire.ErrorCodeInvalidRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			surb := wire.NewSURBID()
			m := tc.msg
			m.WithSURB, m.SURBID = true, &surb
			if m.DestinationIDHash == nil {
				m.DestinationIDHash = echo.hash
			}
			if m.RecipientQueueID == nil {
				m.RecipientQueueID = echo.queue
			}
			c.write((&wire.Request99{SendMessage: &m}).AppendFrame(nil))
			raw := c.nextRaw()
			var r wire.Response
			wire.DecodeResponse(raw, &r)
			rep := r.MessageReply
			if rep == nil { // no sent event first
				t.Fatalf("want message_reply_event, got %s", describe(&r))
			}
			if rep.ErrorCode != tc.code || *rep.SURBID != surb || len(rep.Payload) != 0 {
				t.Fatalf("reply %+v, want error code %d", rep, tc.code)
			}
		})
	}
	// A SURB send without a SURB ID.
	m := wire.SendMessage{WithSURB: true, DestinationIDHash: echo.hash, RecipientQueueID: echo.queue}
	c.write((&wire.Request99{SendMessage: &m}).AppendFrame(nil))
	if r := c.next(); r.MessageReply == nil || r.MessageReply.ErrorCode != wire.ErrorCodeInvalidRequest || r.MessageReply.SURBID != nil {
		t.Fatalf("want invalid request, got %s", describe(r))
	}
	if st := e.d.Stats(); st.Refused != 5 || st.Violations != 0 || st.ConnectionsOpen != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestGetPKIDocument(t *testing.T) {
	e := start(t, wire.Generation99)
	c := e.connect(&wire.Token{31})
	doc := e.d.Document()
	want, _ := doc.Marshal()
	ask := func(epoch uint64) *wire.GetPKIDocumentReply {
		t.Helper()
		q := wire.NewQueryID()
		c.write((&wire.Request99{GetPKIDocument: &wire.GetPKIDocument{QueryID: &q, Epoch: epoch}}).AppendFrame(nil))
		r := c.next()
		g := r.GetPKIDocumentReply
		if g == nil || g.QueryID == nil || *g.QueryID != q {
			t.Fatalf("want get_pki_document_reply for the query, got %s", describe(r))
		}
		return g
	}
	for _, epoch := range []uint64{0, doc.Epoch} {
		g := ask(epoch)
		if g.ErrorCode != 0 || g.Epoch != doc.Epoch {
			t.Fatalf("epoch %d: reply %+v", epoch, g)
		}
		got, err := pki.ParseCertificate(g.Payload)
		if err != nil {
			t.Fatalf("ParseCertificate: %v", err)
		}
		b, _ := got.Marshal()
		if !bytes.Equal(b, want) {
			t.Fatal("certified document differs from Document()")
		}
	}
	g := ask(doc.Epoch + 7)
	if g.ErrorCode != wire.ErrorCodeServiceUnavailable || g.Payload != nil || g.Epoch != doc.Epoch+7 {
		t.Fatalf("unknown epoch: %+v", g)
	}

	// A published document of another epoch is served too, and the old
	// one still answers for its epoch.
	next := *doc
	next.Epoch++
	e.d.PublishDocument(&next)
	c.next() // the pushed document
	if g := ask(0); g.Epoch != next.Epoch {
		t.Fatalf("current epoch %d, want %d", g.Epoch, next.Epoch)
	}
	if g := ask(doc.Epoch); g.ErrorCode != 0 {
		t.Fatalf("previous epoch: %+v", g)
	}
	if st := e.d.Stats(); st.DocumentQueries != 5 {
		t.Fatalf("stats %+v", st)
	}
}

// A v0.0.47 flat request is dropped silently: no reply, no close.
func TestLegacyRequestIgnored99(t *testing.T) {
	e := start(t, wire.Generation99)
	c := e.connect(nil)
	echo := e.dest("echo")
	surb := wire.NewSURBID()
	c.write((&wire.Request{IsSendOp: true, WithSURB: true, SURBID: &surb, DestinationIDHash: echo.hash,
		RecipientQueueID: echo.queue, Payload: []byte("old client")}).AppendFrame(nil))
	c.write(wire.AppendFrame(nil, captured(t, "99", "request-legacy47-03-v0.0.47_send_surb")))
	c.write(wire.AppendFrame(nil, captured(t, "99", "request-legacy47-04-v0.0.47_thin_close")))
	c.expectMarker(true) // nothing came, and the connection is open
	if st := e.d.Stats(); st.Ignored != 3 || st.SURBSends != 0 || st.ThinCloses != 0 || st.Violations != 0 {
		t.Fatalf("stats %+v", st)
	}
	// The connection still works.
	surb = c.sendSURB(echo, []byte("new client"))
	c.expectSent(surb)
	c.expectReply(surb, []byte("new client"), mock.DefaultReplySize)
}

func TestOfflineNoReply99(t *testing.T) {
	e := start(t, wire.Generation99, mock.WithOffline())
	c := e.connect(&wire.Token{32})
	surb := c.sendSURB(e.dest("echo"), []byte("x"))
	r := c.next()
	if s := r.MessageSent; s == nil || s.Err == nil || s.Err.Text != "not connected" {
		t.Fatalf("want failed sent event, got %s", describe(r))
	}
	_ = surb
	c.expectMarker(false)
}
