package client_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/wire"
)

// FuzzDecodeReply: a reply comes from a service on the network, so Call's
// decoder must never panic on one, and fail only with a
// *DecodeReplyError. Seeded with the payloads of captured reply events
// (zero-padded echoes) and padded encodings of the types decoded into.
func FuzzDecodeReply(f *testing.F) {
	for _, name := range []string{"04-message_reply_event-surb.cbor", "06-message_reply_event-arq.cbor"} {
		frame, err := os.ReadFile(filepath.Join("..", "testdata", "daemon-v0.0.47", name))
		if err != nil {
			f.Fatal(err)
		}
		var resp wire.Response
		if err := wire.DecodeResponse(frame, &resp); err != nil || resp.MessageReply == nil {
			f.Fatalf("%s: %v", name, err)
		}
		f.Add(append([]byte(nil), resp.MessageReply.Payload...))
	}
	for _, v := range []any{"hello", map[string]any{"name": "n", "items": []int{1, 2}, "meta": map[string]any{"k": 1.5}}, []any{nil, true, -1}} {
		b, err := cbor.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(append(b, make([]byte, 64)...))
	}
	f.Add([]byte{})
	f.Add([]byte{0x9f, 0x9f, 0x9f}) // unterminated indefinite arrays
	f.Fuzz(func(t *testing.T, payload []byte) {
		for _, decode := range []func([]byte) error{
			func(b []byte) error { _, err := client.DecodeReplyString(b); return err },
			func(b []byte) error { _, err := client.DecodeReplyAny(b); return err },
			func(b []byte) error { _, err := client.DecodeReplyStruct(b); return err },
		} {
			err := decode(payload)
			var de *client.DecodeReplyError
			if err != nil && (!errors.As(err, &de) || !errors.Is(err, client.ErrBadReply) || de.Len != len(payload)) {
				t.Fatalf("error %v is not a *DecodeReplyError for %d bytes", err, len(payload))
			}
		}
	})
}
