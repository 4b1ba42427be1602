package wire_test

import (
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

// checkDecoderAgrees decodes body with both decoders and requires the
// same outcome.
func checkDecoderAgrees(t *testing.T, body []byte) {
	t.Helper()
	var want wire.Response
	wantErr := wire.DecodeResponse(body, &want)
	var d wire.Decoder
	got, err := d.Decode(body)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("Decoder: %v, DecodeResponse: %v, for %x", err, wantErr, body)
	}
	if err != nil {
		return
	}
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("Decoder gives %+v, DecodeResponse %+v, for %x", *got, want, body)
	}
}

// FuzzDecoder checks the hand-written decoder against the general one.
func FuzzDecoder(f *testing.F) {
	seedFrames(f, false)
	f.Fuzz(func(t *testing.T, body []byte) { checkDecoderAgrees(t, body) })
}
