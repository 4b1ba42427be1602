package wire_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/katzenthin/katzenthin/wire"
)

// echoHash47 is the echo node's identity hash in the v0.0.47 capture.
const echoHash47 = "73026f2d1c940e913689ae03bce438a218316b717175860a250403fdcdef24dd"

func TestDecodeRequest47(t *testing.T) {
	hash := mustHex(t, echoHash47)
	for _, tc := range []struct {
		file  string
		check func(t *testing.T, r *wire.Request)
	}{
		{"request-send-surb", func(t *testing.T, r *wire.Request) {
			if !r.IsSendOp || !r.WithSURB || r.ID != nil || r.SURBID == nil || r.Ops() != 1 ||
				!bytes.Equal(r.SURBID[:], mustHex(t, "fb575074d25a8bf2bf50b76881f3bc15")) ||
				string(r.Payload) != "hello from capture tool (surb)" {
				t.Fatalf("%+v", r)
			}
		}},
		{"request-send-arq", func(t *testing.T, r *wire.Request) {
			if !r.IsARQSendOp || !r.WithSURB || r.SURBID != nil || r.Ops() != 1 ||
				!bytes.Equal(r.ID[:], mustHex(t, "6b5753ca64af08760ebe8a995740de65")) ||
				string(r.Payload) != "hello from capture tool (arq)" {
				t.Fatalf("%+v", r)
			}
		}},
		{"request-send-noreply", func(t *testing.T, r *wire.Request) {
			// What the seed clients send, and what crashes the daemon:
			// is_send_op with a null surbid.
			if !r.IsSendOp || r.WithSURB || r.SURBID != nil || r.Ops() != 1 {
				t.Fatalf("%+v", r)
			}
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var r wire.Request
			if err := wire.DecodeRequest(captured(t, "47", tc.file), &r); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r.DestinationIDHash, hash) || string(r.RecipientQueueID) != "+echo" {
				t.Fatalf("destination %x queue %q", r.DestinationIDHash, r.RecipientQueueID)
			}
			tc.check(t, &r)
		})
	}
	var r wire.Request
	if err := wire.DecodeRequest(captured(t, "47", "request-thin-close"), &r); err != nil || !r.IsThinClose || r.Ops() != 1 || r.Payload != nil {
		t.Fatalf("thin close: %+v %v", r, err)
	}
}

// TestRequestReencode proves that what we send is what the daemon's own
// Go client sends: every captured request re-encodes byte for byte.
func TestRequestReencode(t *testing.T) {
	for name, body := range capturedAll(t, "47") {
		if !strings.HasPrefix(name, "request") {
			continue
		}
		t.Run("47/"+name, func(t *testing.T) {
			var r wire.Request
			if err := wire.DecodeRequest(body, &r); err != nil {
				t.Fatal(err)
			}
			if got := r.Marshal(); !bytes.Equal(got, body) {
				t.Fatalf("got  %x\nwant %x", got, body)
			}
			sameShape(t, r.AppendFrame(nil)[wire.HeaderSize:], body)
		})
	}
	for name, body := range capturedAll(t, "99") {
		if !strings.HasPrefix(name, "request") || strings.Contains(name, "legacy47") {
			continue
		}
		t.Run("99/"+name, func(t *testing.T) {
			var r wire.Request99
			if err := wire.DecodeRequest99(body, &r); err != nil {
				t.Fatal(err)
			}
			if r.Ops() != 1 {
				t.Fatalf("%d operations", r.Ops())
			}
			if got := r.Marshal(); !bytes.Equal(got, body) {
				t.Fatalf("got  %x\nwant %x", head(got), head(body))
			}
		})
	}
}

// sameShape checks that two bodies are maps with the same keys and the
// same CBOR major type under each key, which is what the daemon's decoder
// depends on.
func sameShape(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w map[string]cbor.RawMessage
	if err := cbor.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := cbor.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if len(g) != len(w) {
		t.Fatalf("%d keys, want %d", len(g), len(w))
	}
	for k, wv := range w {
		gv, ok := g[k]
		if !ok {
			t.Fatalf("key %q missing", k)
		}
		if gv[0]>>5 != wv[0]>>5 && gv[0] != 0xf6 && wv[0] != 0xf6 {
			t.Fatalf("key %q: major type %d, want %d", k, gv[0]>>5, wv[0]>>5)
		}
	}
}

func TestRequest99LegacyDecodesEmpty(t *testing.T) {
	// The v0.0.99 daemon decodes a v0.0.47 flat request as a request with
	// no operation, and drops it.
	for _, name := range []string{"request-legacy47-03-v0.0.47_send_surb", "request-legacy47-04-v0.0.47_thin_close"} {
		var r wire.Request99
		if err := wire.DecodeRequest99(captured(t, "99", name), &r); err != nil {
			t.Fatal(err)
		}
		if r.Ops() != 0 {
			t.Fatalf("%s: %d operations", name, r.Ops())
		}
	}
}

func TestRequest99Fields(t *testing.T) {
	var r wire.Request99
	if err := wire.DecodeRequest99(captured(t, "99", "request-07-send_message-surb"), &r); err != nil {
		t.Fatal(err)
	}
	m := r.SendMessage
	if m == nil || !m.WithSURB || m.SURBID == nil || m.ID != nil || len(m.DestinationIDHash) != 32 ||
		string(m.RecipientQueueID) != "+echo" || !strings.HasPrefix(string(m.Payload), "hello from") {
		t.Fatalf("%+v", m)
	}
	if err := wire.DecodeRequest99(captured(t, "99", "request-05-get_pki_document"), &r); err != nil {
		t.Fatal(err)
	}
	if q := r.GetPKIDocument; q == nil || q.QueryID == nil || q.Epoch != 0 {
		t.Fatalf("%+v", q)
	}
	if err := wire.DecodeRequest99(captured(t, "99", "request-14-thin_close"), &r); err != nil || r.ThinClose == nil {
		t.Fatalf("%+v %v", r, err)
	}
	a, b := captured(t, "99", "request-resume-03-session_token"), captured(t, "99", "request-resume-09-session_token-reconnect")
	if !bytes.Equal(a, b) {
		t.Fatal("a resumed session must reuse the token")
	}
	if err := wire.DecodeRequest99(a, &r); err != nil || r.SessionToken == nil || r.SessionToken.ClientInstanceToken == nil {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestRequestDecodeMalformed(t *testing.T) {
	for name, body := range map[string][]byte{
		"not cbor":   {0x1c},
		"array":      {0x81, 0x00},
		"short id":   append(append([]byte{0xa1}, cborText("surbid")...), 0x41, 0x00),
		"text bool":  append(append([]byte{0xa1}, cborText("with_surb")...), cborText("yes")...),
		"bytes text": append(append([]byte{0xa1}, cborText("payload")...), cborText("x")...),
	} {
		var r wire.Request
		if err := wire.DecodeRequest(body, &r); err == nil {
			t.Errorf("%s: no error", name)
		}
		var r99 wire.Request99
		if err := wire.DecodeRequest99(append(append([]byte{0xa1}, cborText("send_message")...), body...), &r99); err == nil {
			t.Errorf("%s (99): no error", name)
		}
	}
}
