package wire_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeResponse(t testing.TB, body []byte) *wire.Response {
	t.Helper()
	var r wire.Response
	if err := wire.DecodeResponse(body, &r); err != nil {
		t.Fatalf("DecodeResponse: %v", err)
	}
	return &r
}

func TestDecodeResponse47(t *testing.T) {
	surb := mustHex(t, "fb575074d25a8bf2bf50b76881f3bc15")
	arqID := mustHex(t, "6b5753ca64af08760ebe8a995740de65")
	arqSURB := mustHex(t, "97684da70999bff5c9c3f19463c34bef")

	t.Run("status", func(t *testing.T) {
		r := decodeResponse(t, captured(t, "47", "01-connection_status_event"))
		s := r.ConnectionStatus
		if s == nil || !s.IsConnected || s.Err != nil || s.InstanceToken != nil || s.SphinxGeometry != nil {
			t.Fatalf("status = %+v", s)
		}
		if g := wire.DetectGeneration(r); g != wire.Generation47 {
			t.Fatalf("generation %v", g)
		}
	})
	t.Run("status disconnected with {} error", func(t *testing.T) {
		s := decodeResponse(t, captured(t, "47", "gwdown-03-connection_status_event-disconnected")).ConnectionStatus
		if s == nil || s.IsConnected || s.Err == nil || s.Err.Text != "" {
			t.Fatalf("status = %+v", s)
		}
	})
	t.Run("document", func(t *testing.T) {
		for _, name := range []string{"02-new_pki_document_event", "07-new_pki_document_event-gcwait", "08-new_pki_document_event-gcwait"} {
			d := decodeResponse(t, captured(t, "47", name)).NewPKIDocument
			if d == nil || len(d.Payload) < 8000 || d.Payload[0]&0xe0 != 0xa0 {
				t.Fatalf("%s: document payload of %d bytes", name, len(d.Payload))
			}
		}
	})
	t.Run("sent surb", func(t *testing.T) {
		m := decodeResponse(t, captured(t, "47", "03-message_sent_event-surb")).MessageSent
		if m == nil || m.MessageID != nil || !bytes.Equal(m.SURBID[:], surb) || m.Err != nil {
			t.Fatalf("sent = %+v", m)
		}
		if !m.SentAt.Equal(time.Unix(1795628075, 0)) || m.ReplyETA != 1820*time.Millisecond {
			t.Fatalf("sent_at %v reply_eta %v", m.SentAt, m.ReplyETA)
		}
	})
	t.Run("reply surb", func(t *testing.T) {
		m := decodeResponse(t, captured(t, "47", "04-message_reply_event-surb")).MessageReply
		if m == nil || m.MessageID != nil || !bytes.Equal(m.SURBID[:], surb) || m.Err != nil {
			t.Fatalf("reply = %+v", m)
		}
		want := "hello from capture tool (surb)"
		if len(m.Payload) != 2574 || string(m.Payload[:len(want)]) != want ||
			!bytes.Equal(m.Payload[len(want):], make([]byte, 2574-len(want))) {
			t.Fatalf("payload %q... (%d bytes)", m.Payload[:40], len(m.Payload))
		}
	})
	t.Run("sent arq", func(t *testing.T) {
		m := decodeResponse(t, captured(t, "47", "05-message_sent_event-arq")).MessageSent
		if m == nil || !bytes.Equal(m.MessageID[:], arqID) || !bytes.Equal(m.SURBID[:], arqSURB) || m.Err != nil {
			t.Fatalf("sent = %+v", m)
		}
		if !m.SentAt.Equal(time.Unix(1795628077, 0)) || m.ReplyETA != 1577*time.Millisecond {
			t.Fatalf("sent_at %v reply_eta %v", m.SentAt, m.ReplyETA)
		}
	})
	t.Run("reply arq", func(t *testing.T) {
		m := decodeResponse(t, captured(t, "47", "06-message_reply_event-arq")).MessageReply
		if m == nil || !bytes.Equal(m.MessageID[:], arqID) || !bytes.Equal(m.SURBID[:], arqSURB) || m.Err != nil {
			t.Fatalf("reply = %+v", m)
		}
		if !strings.HasPrefix(string(m.Payload), "hello from capture tool (arq)\x00") || len(m.Payload) != 2574 {
			t.Fatalf("payload %q", m.Payload[:40])
		}
	})
	t.Run("gc", func(t *testing.T) {
		m := decodeResponse(t, captured(t, "47", "09-message_id_garbage_collected-gcwait")).MessageIDGarbageCollected
		if m == nil || !bytes.Equal(m.MessageID[:], arqID) {
			t.Fatalf("gc = %+v", m)
		}
	})
}

// TestResponseReencode proves the encoder writes what the real daemon
// writes: every captured response decodes and re-encodes byte for byte.
func TestResponseReencode(t *testing.T) {
	for gen, g := range map[string]wire.Generation{"47": wire.Generation47, "99": wire.Generation99} {
		for name, body := range capturedAll(t, gen) {
			if strings.HasPrefix(name, "request") {
				continue
			}
			t.Run(gen+"/"+name, func(t *testing.T) {
				r := decodeResponse(t, body)
				if _, err := r.Event(); err != nil {
					t.Fatalf("Event: %v", err)
				}
				got := r.Marshal(g)
				if !bytes.Equal(got, body) {
					t.Fatalf("re-encoded %d bytes differ from the captured %d\n got %x\nwant %x", len(got), len(body), head(got), head(body))
				}
				framed := r.AppendFrame([]byte("x"), g)
				if !bytes.Equal(framed[5:], body) || framed[0] != 'x' {
					t.Fatal("AppendFrame does not append the framed body")
				}
			})
		}
	}
}

func head(b []byte) []byte { return b[:min(len(b), 96)] }

func TestResponseEvent(t *testing.T) {
	var r wire.Response
	if _, err := r.Event(); !errors.Is(err, wire.ErrNoEvent) {
		t.Fatalf("empty response: %v", err)
	}
	r.Shutdown = &wire.ShutdownEvent{}
	if ev, err := r.Event(); err != nil || ev != r.Shutdown {
		t.Fatalf("one event: %v %v", ev, err)
	}
	r.ConnectionStatus = &wire.ConnectionStatusEvent{}
	if _, err := r.Event(); !errors.Is(err, wire.ErrManyEvents) {
		t.Fatalf("two events: %v", err)
	}
	// The sent and reply events, alone and with a query reply.
	sent := &wire.MessageSentEvent{}
	reply := &wire.MessageReplyEvent{}
	for _, c := range []struct {
		r    wire.Response
		want any
	}{
		{wire.Response{MessageSent: sent}, sent},
		{wire.Response{MessageReply: reply}, reply},
		{wire.Response{MessageSent: sent, VoucherOpenReply: &wire.VoucherOpenReply{}}, nil},
		{wire.Response{MessageReply: reply, SessionTokenReply: &wire.SessionTokenReply{}}, nil},
		{wire.Response{MessageSent: sent, MessageReply: reply}, nil},
	} {
		ev, err := c.r.Event()
		if c.want == nil && !errors.Is(err, wire.ErrManyEvents) || c.want != nil && (err != nil || ev != c.want) {
			t.Errorf("%+v: %v %v", c.r, ev, err)
		}
	}
}

func TestDecodeResponseBothShutdownSpellings(t *testing.T) {
	for _, body := range [][]byte{
		(&wire.Response{Shutdown: &wire.ShutdownEvent{}}).Marshal(wire.Generation47),
		(&wire.Response{Shutdown: &wire.ShutdownEvent{}}).Marshal(wire.Generation99),
	} {
		if r := decodeResponse(t, body); r.Shutdown == nil {
			t.Fatalf("no shutdown in %x", body)
		}
	}
	if !bytes.Contains((&wire.Response{}).Marshal(wire.Generation47), []byte("shudown_event")) {
		t.Fatal("v0.0.47 envelope must keep the daemon's spelling")
	}
}

func TestDecodeResponseErrorForms(t *testing.T) {
	// err: null, {}, text, and (other encoders) any other non-null value.
	for _, tc := range []struct {
		name    string
		err     []byte
		wantNil bool
		text    string
	}{
		{"null", []byte{0xf6}, true, ""},
		{"empty map", []byte{0xa0}, false, ""},
		{"text", append([]byte{0x64}, "oops"...), false, "oops"},
		{"integer", []byte{0x01}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := append([]byte{0xa1}, cborText("connection_status_event")...)
			body = append(body, 0xa2)
			body = append(body, cborText("is_connected")...)
			body = append(body, 0xf4)
			body = append(body, cborText("err")...)
			body = append(body, tc.err...)
			s := decodeResponse(t, body).ConnectionStatus
			if (s.Err == nil) != tc.wantNil || (s.Err != nil && s.Err.Text != tc.text) {
				t.Fatalf("err = %+v", s.Err)
			}
		})
	}
}

// cborText encodes a short text string.
func cborText(s string) []byte {
	if len(s) >= 24 {
		return append([]byte{0x78, byte(len(s))}, s...)
	}
	return append([]byte{0x60 | byte(len(s))}, s...)
}

func TestDecodeResponseSentAtForms(t *testing.T) {
	sentAt := func(v []byte) []byte {
		body := append([]byte{0xa1}, cborText("message_sent_event")...)
		body = append(body, 0xa1)
		body = append(body, cborText("sent_at")...)
		return append(body, v...)
	}
	want := time.Unix(1795628075, 0)
	for name, v := range map[string][]byte{
		"uint":       {0x1a, 0x6b, 0x07, 0x1c, 0x2b},
		"tagged":     {0xc1, 0x1a, 0x6b, 0x07, 0x1c, 0x2b},
		"float":      {0xfb, 0x41, 0xda, 0xc1, 0xc7, 0x0a, 0xc0, 0x00, 0x00},
		"null→zero":  {0xf6},
		"tag 0 text": append([]byte{0xc0}, cborText("2026-11-25T17:34:35Z")...),
	} {
		t.Run(name, func(t *testing.T) {
			m := decodeResponse(t, sentAt(v)).MessageSent
			if name == "null→zero" {
				if !m.SentAt.IsZero() {
					t.Fatalf("sent_at %v", m.SentAt)
				}
				return
			}
			if !m.SentAt.Equal(want) {
				t.Fatalf("sent_at %v, want %v", m.SentAt, want)
			}
		})
	}
}

func TestDecodeResponseMalformed(t *testing.T) {
	id15 := append([]byte{0x4f}, make([]byte, 15)...)
	for name, body := range map[string][]byte{
		"not cbor":           {0xff, 0x00},
		"array":              {0x80},
		"truncated":          {0xa1, 0x6d},
		"id of 15 bytes":     append(append([]byte{0xa1}, cborText("message_reply_event")...), append(append([]byte{0xa1}, cborText("surbid")...), id15...)...),
		"text for bytes":     append(append([]byte{0xa1}, cborText("new_pki_document_event")...), append(append([]byte{0xa1}, cborText("payload")...), cborText("x")...)...),
		"array for map":      append(append([]byte{0xa1}, cborText("message_sent_event")...), 0x80),
		"trailing bytes":     {0xa0, 0x00},
		"huge array claimed": {0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	} {
		t.Run(name, func(t *testing.T) {
			var r wire.Response
			err := wire.DecodeResponse(body, &r)
			if !errors.Is(err, wire.ErrMalformed) {
				t.Fatalf("DecodeResponse(%x) = %v, want ErrMalformed", body, err)
			}
		})
	}
}

func TestDecodeResponseUnknownKeysIgnored(t *testing.T) {
	body := append([]byte{0xa2}, cborText("some_future_reply")...)
	body = append(body, 0xa0)
	body = append(body, cborText("shutdown_event")...)
	body = append(body, 0xa0)
	r := decodeResponse(t, body)
	if ev, err := r.Event(); err != nil || ev != any(r.Shutdown) {
		t.Fatalf("Event = %v, %v", ev, err)
	}
}

func TestDecodedBytesAreCopies(t *testing.T) {
	body := captured(t, "47", "04-message_reply_event-surb")
	r := decodeResponse(t, body)
	before := append([]byte(nil), r.MessageReply.Payload...)
	for i := range body {
		body[i] = 0
	}
	if !bytes.Equal(r.MessageReply.Payload, before) {
		t.Fatal("the decoded payload aliases the frame buffer")
	}
}
