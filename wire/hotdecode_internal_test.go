package wire

import (
	"os"
	"path/filepath"
	"testing"
)

// TestHotTemplatesFitCaptures: the captured SURB sent and reply events
// of both generations take the hot path, so the templates built from
// the encoder are the daemons' bytes.
func TestHotTemplatesFitCaptures(t *testing.T) {
	for _, name := range []string{
		"daemon-v0.0.47/03-message_sent_event-surb", "daemon-v0.0.47/04-message_reply_event-surb",
		"daemon-v0.0.99/08-message_sent_event-surb", "daemon-v0.0.99/09-message_reply_event-surb",
		"daemon-v0.0.99/12-message_sent_event-surb-after-nosurb", "daemon-v0.0.99/13-message_reply_event-surb-after-nosurb",
	} {
		body, err := os.ReadFile(filepath.Join("..", "testdata", name+".cbor"))
		if err != nil {
			t.Fatal(err)
		}
		var d Decoder
		if !d.hot(body) {
			t.Errorf("%s does not take the hot path", name)
		}
		// A frame that differs in one byte of a template's fixed part
		// does not.
		odd := append([]byte(nil), body...)
		odd[len(odd)-2] ^= 0x20
		if d.hot(odd) {
			t.Errorf("%s with another tail takes the hot path", name)
		}
	}
}
