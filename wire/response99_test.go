package wire_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

func TestDecodeResponse99(t *testing.T) {
	t.Run("status", func(t *testing.T) {
		r := decodeResponse(t, captured(t, "99", "01-connection_status_event"))
		s := r.ConnectionStatus
		if wire.DetectGeneration(r) != wire.Generation99 || s == nil || !s.IsConnected || s.Err != nil || s.InstanceToken == nil {
			t.Fatalf("%+v", s)
		}
		g := s.SphinxGeometry
		want := wire.SphinxGeometry{PacketLength: 3082, NrHops: 5, HeaderLength: 476, RoutingInfoLength: 410,
			PerHopRoutingInfoLength: 82, SURBLength: 572, SphinxPlaintextHeaderLength: 2, PayloadTagLength: 32,
			ForwardPayloadLength: 2574, UserForwardPayloadLength: 2000, NextNodeHopLength: 65,
			SPRPKeyMaterialLength: 64, NIKEName: "x25519", KEMName: ""}
		if g == nil || *g != want {
			t.Fatalf("sphinx geometry %+v", g)
		}
		p := s.PigeonholeGeometry
		if p == nil || p.MaxPlaintextPayloadLength != 1549 || p.CourierQueryReplyWriteLength != 1718 ||
			p.NIKEName != "CTIDH1024-X25519" || p.SignatureSchemeName != "Ed25519" {
			t.Fatalf("pigeonhole geometry %+v", p)
		}
		down := decodeResponse(t, captured(t, "99", "events-05-connection_status_event-gwdown")).ConnectionStatus
		if down.IsConnected || down.Err != nil || *down.InstanceToken != *s.InstanceToken {
			t.Fatalf("gw down: %+v", down)
		}
	})
	t.Run("session token reply", func(t *testing.T) {
		first := decodeResponse(t, captured(t, "99", "04-session_token_reply")).SessionTokenReply
		if first == nil || first.AppID == nil || first.Resumed {
			t.Fatalf("%+v", first)
		}
		resumed := decodeResponse(t, captured(t, "99", "resume-11-session_token_reply-reconnect")).SessionTokenReply
		if resumed == nil || !resumed.Resumed {
			t.Fatalf("%+v", resumed)
		}
	})
	t.Run("sent and reply", func(t *testing.T) {
		var req wire.Request99
		if err := wire.DecodeRequest99(captured(t, "99", "request-07-send_message-surb"), &req); err != nil {
			t.Fatal(err)
		}
		sent := decodeResponse(t, captured(t, "99", "08-message_sent_event-surb")).MessageSent
		if sent == nil || sent.MessageID != nil || *sent.SURBID != *req.SendMessage.SURBID || sent.Err != nil ||
			!sent.SentAt.Equal(time.Unix(1795631712, 0)) || sent.ReplyETA != 2216*time.Millisecond {
			t.Fatalf("%+v", sent)
		}
		reply := decodeResponse(t, captured(t, "99", "09-message_reply_event-surb")).MessageReply
		if reply == nil || *reply.SURBID != *req.SendMessage.SURBID || reply.ErrorCode != wire.ErrorCodeSuccess ||
			reply.ReplyIndex != nil || len(reply.Payload) != 2574 ||
			!bytes.HasPrefix(reply.Payload, req.SendMessage.Payload) {
			t.Fatalf("%+v", reply)
		}
	})
	t.Run("get pki document reply", func(t *testing.T) {
		var req wire.Request99
		if err := wire.DecodeRequest99(captured(t, "99", "request-05-get_pki_document"), &req); err != nil {
			t.Fatal(err)
		}
		q := decodeResponse(t, captured(t, "99", "06-get_pki_document_reply")).GetPKIDocumentReply
		if q == nil || *q.QueryID != *req.GetPKIDocument.QueryID || q.Epoch != 2494637 || q.ErrorCode != 0 || len(q.Payload) != 10702 {
			t.Fatalf("%+v", q)
		}
	})
	t.Run("shutdown", func(t *testing.T) {
		if r := decodeResponse(t, captured(t, "99", "events-10-shutdown_event")); r.Shutdown == nil {
			t.Fatal("no shutdown")
		}
	})
	t.Run("document", func(t *testing.T) {
		d := decodeResponse(t, captured(t, "99", "02-new_pki_document_event")).NewPKIDocument
		if d == nil || len(d.Payload) != 10158 {
			t.Fatalf("document of %d bytes", len(d.Payload))
		}
	})
}

func TestEncode99Options(t *testing.T) {
	// err and reply_index are left out when empty, written when set.
	idx := uint8(3)
	r := &wire.Response{MessageReply: &wire.MessageReplyEvent{SURBID: &wire.SURBID{1}, ErrorCode: wire.ErrorCodePayloadTooLarge, ReplyIndex: &idx}}
	got := decodeResponse(t, r.Marshal(wire.Generation99)).MessageReply
	if got.ErrorCode != wire.ErrorCodePayloadTooLarge || got.ReplyIndex == nil || *got.ReplyIndex != 3 {
		t.Fatalf("%+v", got)
	}
	s := &wire.Response{MessageSent: &wire.MessageSentEvent{SURBID: &wire.SURBID{1}, Err: &wire.DaemonError{Text: "offline"}}}
	if got := decodeResponse(t, s.Marshal(wire.Generation99)).MessageSent; got.Err == nil || got.Err.Text != "offline" {
		t.Fatalf("%+v", got)
	}
	if got := decodeResponse(t, s.Marshal(wire.Generation47)).MessageSent; got.Err == nil || got.Err.Text != "" {
		t.Fatalf("v0.0.47 loses the text: %+v", got.Err)
	}
}

func TestErrorCodeString(t *testing.T) {
	if s := wire.ErrorCodePayloadTooLarge.String(); s != "payload too large" {
		t.Fatal(s)
	}
	if s := wire.ErrorCode(200).String(); s != "error code 200" {
		t.Fatal(s)
	}
}
