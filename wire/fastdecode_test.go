package wire_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/wire"
)

func TestDecoderMatchesDecodeResponse(t *testing.T) {
	for _, gen := range []string{"47", "99"} {
		for name, body := range capturedAll(t, gen) {
			if strings.HasPrefix(name, "request") {
				continue
			}
			checkDecoderAgrees(t, body)
		}
	}
}

func TestDecoderAllocations(t *testing.T) {
	body := captured(t, "47", "04-message_reply_event-surb")
	var d wire.Decoder
	// The payload copy is the only allocation.
	if a := testing.AllocsPerRun(100, func() { d.Decode(body) }); a != 1 {
		t.Fatalf("%v allocations per reply, want 1", a)
	}
	sent := captured(t, "99", "08-message_sent_event-surb")
	if a := testing.AllocsPerRun(100, func() { d.Decode(sent) }); a != 0 {
		t.Fatalf("%v allocations per sent event, want 0", a)
	}
}

func TestDecodeSharedAllocations(t *testing.T) {
	var d wire.Decoder
	for _, f := range []struct{ gen, name string }{
		{"47", "03-message_sent_event-surb"}, {"47", "04-message_reply_event-surb"},
		{"99", "08-message_sent_event-surb"}, {"99", "09-message_reply_event-surb"},
	} {
		body := captured(t, f.gen, f.name)
		if a := testing.AllocsPerRun(100, func() { d.DecodeShared(body) }); a != 0 {
			t.Fatalf("%v allocations per %s, want 0", a, f.name)
		}
	}
}

// TestDecodeSharedViews: DecodeShared's reply payload is a view into the
// body, Decode's a copy.
func TestDecodeSharedViews(t *testing.T) {
	body := captured(t, "47", "04-message_reply_event-surb")
	var d wire.Decoder
	resp, err := d.DecodeShared(body)
	if err != nil {
		t.Fatal(err)
	}
	shared := resp.MessageReply.Payload
	if len(shared) == 0 || &shared[0] != &body[bytes.Index(body, shared)] {
		t.Fatal("DecodeShared copied the payload")
	}
	resp, err = d.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	copied := resp.MessageReply.Payload
	if !bytes.Equal(copied, shared) || &copied[0] == &shared[0] {
		t.Fatal("Decode did not copy the payload")
	}
}

// checkDecoderAgrees decodes body with the general decoder and with a
// Decoder (Decode and DecodeShared, on one Decoder after a frame of
// another kind, so that its reused state shows) and requires the same
// outcome.
func checkDecoderAgrees(t *testing.T, body []byte) {
	t.Helper()
	var want wire.Response
	wantErr := wire.DecodeResponse(body, &want)
	var d wire.Decoder
	checkDecoded(t, body, &want, wantErr, d.Decode)
	checkDecoded(t, body, &want, wantErr, d.DecodeShared)
	for _, other := range warmFrames {
		d.Decode(other)
		checkDecoded(t, body, &want, wantErr, d.DecodeShared)
	}
}

// warmFrames leave a Decoder's state as each of its paths does.
var warmFrames = [][]byte{
	(&wire.Response{ConnectionStatus: &wire.ConnectionStatusEvent{IsConnected: true}}).Marshal(wire.Generation47),
	(&wire.Response{MessageSent: &wire.MessageSentEvent{SURBID: &wire.SURBID{1}, Err: &wire.DaemonError{}}}).Marshal(wire.Generation47),
	(&wire.Response{MessageReply: &wire.MessageReplyEvent{SURBID: &wire.SURBID{2}, Payload: []byte("x")}}).Marshal(wire.Generation99),
}

func checkDecoded(t *testing.T, body []byte, want *wire.Response, wantErr error, decode func([]byte) (*wire.Response, error)) {
	t.Helper()
	got, err := decode(body)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("Decoder: %v, DecodeResponse: %v, for %x", err, wantErr, body)
	}
	if err != nil {
		return
	}
	if !reflect.DeepEqual(*got, *want) {
		t.Fatalf("Decoder gives %+v, DecodeResponse %+v, for %x", *got, want, body)
	}
}

// FuzzDecoder checks the hand-written decoder against the general one.
func FuzzDecoder(f *testing.F) {
	seedFrames(f, false)
	f.Fuzz(func(t *testing.T, body []byte) { checkDecoderAgrees(t, body) })
}
