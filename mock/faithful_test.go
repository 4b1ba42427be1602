package mock_test

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/katzenthin/katzenthin/wire"
)

// These tests hold the mock's frames against frames captured from the real
// daemons: the same top-level keys in the same order, and inside each
// event (and the document, its descriptors, the certificate) the same keys
// with the same CBOR major types.

// orderedKeys returns the keys of a CBOR map with text keys, in order.
func orderedKeys(t testing.TB, b []byte) []string {
	t.Helper()
	if len(b) == 0 || b[0]>>5 != 5 {
		t.Fatalf("not a map: %x", b[:min(len(b), 8)])
	}
	var n int
	switch info := b[0] & 0x1f; {
	case info < 24:
		n, b = int(info), b[1:]
	case info == 24:
		n, b = int(b[1]), b[2:]
	case info == 25:
		n, b = int(b[1])<<8|int(b[2]), b[3:]
	default:
		t.Fatalf("unexpected map header %x", b[0])
	}
	dec := cbor.NewDecoder(bytes.NewReader(b))
	keys := make([]string, n)
	for i := range keys {
		var v cbor.RawMessage
		if err := dec.Decode(&keys[i]); err != nil {
			t.Fatal(err)
		}
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func topLevel(t testing.TB, b []byte) map[string]cbor.RawMessage {
	t.Helper()
	var m map[string]cbor.RawMessage
	if err := cbor.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// eventFields returns the fields of the event under key in a response.
func eventFields(t testing.TB, body []byte, key string) map[string]cbor.RawMessage {
	t.Helper()
	return topLevel(t, topLevel(t, body)[key])
}

// shape maps each key to its value's CBOR major type, "null" for null.
func shape(m map[string]cbor.RawMessage) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch {
		case len(v) == 0:
			out[k] = "?"
		case v[0] == 0xf6:
			out[k] = "null"
		default:
			out[k] = fmt.Sprint(v[0] >> 5)
		}
	}
	return out
}

func sameShape(t testing.TB, what string, got, want map[string]cbor.RawMessage) {
	t.Helper()
	g, w := shape(got), shape(want)
	if !maps.Equal(g, w) {
		t.Errorf("%s: shape differs from the captured frame\n got  %v\n want %v", what, sorted(g), sorted(w))
	}
}

func sorted(m map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+":"+m[k])
	}
	return out
}

func bstr(t testing.TB, raw cbor.RawMessage) []byte {
	t.Helper()
	var b []byte
	if err := cbor.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// compareFrame checks a mock frame against a captured one: top-level key
// order, then the shape of the event under key.
func compareFrame(t testing.TB, got, want []byte, key string) {
	t.Helper()
	if g, w := orderedKeys(t, got), orderedKeys(t, want); !slices.Equal(g, w) {
		t.Errorf("%s: envelope keys\n got  %v\n want %v", key, g, w)
	}
	sameShape(t, key, eventFields(t, got, key), eventFields(t, want, key))
}

// compareDocument checks a document payload's key set and that of each
// kind of descriptor (mix, gateway, service node).
func compareDocument(t testing.TB, got, want []byte) {
	t.Helper()
	gd, wd := topLevel(t, got), topLevel(t, want)
	sameShape(t, "document", gd, wd)
	first := func(doc map[string]cbor.RawMessage, key string) map[string]cbor.RawMessage {
		var nodes [][]byte
		if key == "Topology" {
			var layers [][][]byte
			if err := cbor.Unmarshal(doc[key], &layers); err != nil || len(layers) == 0 {
				t.Fatalf("Topology: %v", err)
			}
			nodes = layers[0]
		} else if err := cbor.Unmarshal(doc[key], &nodes); err != nil || len(nodes) == 0 {
			t.Fatalf("%s: %v", key, err)
		}
		return topLevel(t, nodes[0])
	}
	for _, key := range []string{"Topology", "GatewayNodes", "ServiceNodes"} {
		sameShape(t, key+" descriptor", first(gd, key), first(wd, key))
	}
}

func TestFaithful47(t *testing.T) {
	e := start(t, wire.Generation47, arqTiming)
	c := e.dial()
	compareFrame(t, c.nextRaw(), captured(t, "47", "01-connection_status_event"), "connection_status_event")
	doc := c.nextRaw()
	want := captured(t, "47", "02-new_pki_document_event")
	compareFrame(t, doc, want, "new_pki_document_event")
	compareDocument(t, bstr(t, eventFields(t, doc, "new_pki_document_event")["payload"]),
		bstr(t, eventFields(t, want, "new_pki_document_event")["payload"]))

	c.sendSURB(e.dest("echo"), []byte("hello from capture tool (surb)"))
	compareFrame(t, c.nextRaw(), captured(t, "47", "03-message_sent_event-surb"), "message_sent_event")
	compareFrame(t, c.nextRaw(), captured(t, "47", "04-message_reply_event-surb"), "message_reply_event")

	c.sendARQ(e.dest("echo"), []byte("hello from capture tool (arq)"))
	compareFrame(t, c.nextRaw(), captured(t, "47", "05-message_sent_event-arq"), "message_sent_event")
	compareFrame(t, c.nextRaw(), captured(t, "47", "06-message_reply_event-arq"), "message_reply_event")
	compareFrame(t, c.nextRaw(), captured(t, "47", "09-message_id_garbage_collected-gcwait"), "message_id_garbage_collected")

	e.d.SetConnected(false)
	compareFrame(t, c.nextRaw(), captured(t, "47", "gwdown-03-connection_status_event-disconnected"), "connection_status_event")
}

func TestFaithful99(t *testing.T) {
	e := start(t, wire.Generation99)
	c := e.dial()
	status := c.nextRaw()
	wantStatus := captured(t, "99", "01-connection_status_event")
	compareFrame(t, status, wantStatus, "connection_status_event")
	for _, geometry := range []string{"sphinx_geometry", "pigeonhole_geometry"} {
		sameShape(t, geometry, topLevel(t, eventFields(t, status, "connection_status_event")[geometry]),
			topLevel(t, eventFields(t, wantStatus, "connection_status_event")[geometry]))
	}
	// The geometry values are the captured ones (the payload lengths are
	// the defaults, which are the captured values too).
	var got, want wire.Response
	wire.DecodeResponse(status, &got)
	wire.DecodeResponse(wantStatus, &want)
	if *got.ConnectionStatus.SphinxGeometry != *want.ConnectionStatus.SphinxGeometry ||
		*got.ConnectionStatus.PigeonholeGeometry != *want.ConnectionStatus.PigeonholeGeometry {
		t.Errorf("geometry %+v %+v\nwant %+v %+v", got.ConnectionStatus.SphinxGeometry, got.ConnectionStatus.PigeonholeGeometry,
			want.ConnectionStatus.SphinxGeometry, want.ConnectionStatus.PigeonholeGeometry)
	}

	doc := c.nextRaw()
	wantDoc := captured(t, "99", "02-new_pki_document_event")
	compareFrame(t, doc, wantDoc, "new_pki_document_event")
	compareDocument(t, bstr(t, eventFields(t, doc, "new_pki_document_event")["payload"]),
		bstr(t, eventFields(t, wantDoc, "new_pki_document_event")["payload"]))

	c.writeToken(wire.NewToken())
	compareFrame(t, c.nextRaw(), captured(t, "99", "04-session_token_reply"), "session_token_reply")

	q := wire.NewQueryID()
	req := wire.Request99{GetPKIDocument: &wire.GetPKIDocument{QueryID: &q}}
	c.write(req.AppendFrame(nil))
	reply := c.nextRaw()
	wantReply := captured(t, "99", "06-get_pki_document_reply")
	compareFrame(t, reply, wantReply, "get_pki_document_reply")
	cert := topLevel(t, bstr(t, eventFields(t, reply, "get_pki_document_reply")["payload"]))
	wantCert := topLevel(t, bstr(t, eventFields(t, wantReply, "get_pki_document_reply")["payload"]))
	sameShape(t, "certificate", cert, wantCert)
	if g, w := orderedKeys(t, bstr(t, eventFields(t, reply, "get_pki_document_reply")["payload"])),
		orderedKeys(t, bstr(t, eventFields(t, wantReply, "get_pki_document_reply")["payload"])); !slices.Equal(g, w) {
		t.Errorf("certificate keys %v, want %v", g, w)
	}
	compareDocument(t, bstr(t, cert["Certified"]), bstr(t, wantCert["Certified"]))
	sigs := func(raw cbor.RawMessage) map[string]map[string]cbor.RawMessage {
		var m map[string]map[string]cbor.RawMessage
		var byKey map[cbor.ByteString]map[string]cbor.RawMessage
		if err := cbor.Unmarshal(raw, &byKey); err != nil {
			t.Fatal(err)
		}
		m = map[string]map[string]cbor.RawMessage{}
		for k, v := range byKey {
			if len(k) != 32 {
				t.Errorf("signature key of %d bytes", len(k))
			}
			if !bytes.Equal(bstr(t, v["PublicKeySum256"]), []byte(k)) {
				t.Error("PublicKeySum256 differs from its key")
			}
			m[string(k)] = v
		}
		return m
	}
	gs, ws := sigs(cert["Signatures"]), sigs(wantCert["Signatures"])
	if len(gs) != len(ws) {
		t.Errorf("%d signatures, want %d", len(gs), len(ws))
	}
	for _, g := range gs {
		for _, w := range ws {
			sameShape(t, "signature", g, w)
			if len(bstr(t, g["Payload"])) != len(bstr(t, w["Payload"])) {
				t.Error("signature payload length differs")
			}
			break
		}
		break
	}

	c.sendSURB(e.dest("echo"), []byte("hello from capture tool (surb)"))
	compareFrame(t, c.nextRaw(), captured(t, "99", "08-message_sent_event-surb"), "message_sent_event")
	compareFrame(t, c.nextRaw(), captured(t, "99", "09-message_reply_event-surb"), "message_reply_event")

	e.d.SetConnected(false)
	compareFrame(t, c.nextRaw(), captured(t, "99", "events-05-connection_status_event-gwdown"), "connection_status_event")
	e.d.SetConnected(true)
	compareFrame(t, c.nextRaw(), captured(t, "99", "events-09-connection_status_event-gwup"), "connection_status_event")
	e.d.Close()
	compareFrame(t, c.nextRaw(), captured(t, "99", "events-10-shutdown_event"), "shutdown_event")
}

// TestCapturedRequests feeds the mock the requests the real clients sent.
func TestCapturedRequests(t *testing.T) {
	t.Run("v0.0.47", func(t *testing.T) {
		e := start(t, wire.Generation47)
		c := e.connect(nil)
		// Addressed to the captured network's echo node: not routable
		// here, but accepted (a sent event, no reply).
		for _, name := range []string{"request-send-surb", "request-send-arq"} {
			c.write(wire.AppendFrame(nil, captured(t, "47", name)))
			if r := c.next(); r.MessageSent == nil {
				t.Fatalf("%s: %s", name, describe(r))
			}
		}
		c.write(wire.AppendFrame(nil, captured(t, "47", "request-thin-close")))
		c.expectEOF()
		if v := e.d.Violations(); len(v) != 0 {
			t.Fatalf("violations: %v", v)
		}

		// The seed clients' no-reply send crashes the real daemon.
		c = e.connect(nil)
		c.write(wire.AppendFrame(nil, captured(t, "47", "request-send-noreply")))
		c.expectEOF()
		e.sync()
		if v := e.d.Violations(); len(v) != 1 {
			t.Fatalf("violations: %v", v)
		}
	})
	t.Run("v0.0.99", func(t *testing.T) {
		e := start(t, wire.Generation99)
		c := e.dial()
		c.handshake()
		for _, name := range []string{"request-03-session_token", "request-05-get_pki_document",
			"request-07-send_message-surb", "request-10-send_message-nosurb"} {
			c.write(wire.AppendFrame(nil, captured(t, "99", name)))
		}
		if r := c.next(); r.SessionTokenReply == nil {
			t.Fatal(describe(r))
		}
		if r := c.next(); r.GetPKIDocumentReply == nil || r.GetPKIDocumentReply.ErrorCode != 0 {
			t.Fatal(describe(r))
		}
		if r := c.next(); r.MessageSent == nil { // not routable here: no reply
			t.Fatal(describe(r))
		}
		c.expectMarker(true) // nothing for the send without SURB
		c.write(wire.AppendFrame(nil, captured(t, "99", "request-14-thin_close")))
		c.expectEOF()
		if st := e.d.Stats(); st.NoReplySends != 1 || st.SURBSends != 1 || st.Violations != 0 {
			t.Fatalf("stats %+v", st)
		}
	})
}
