package client_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

// TestSendAppend: the reply's payload is appended to the caller's
// buffer, in its memory when it has room, on both generations.
func TestSendAppend(t *testing.T) {
	generations(t, func(t *testing.T, gen wire.Generation) {
		d := startMock(t, gen)
		c := dialMock(t, d)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		buf := append(make([]byte, 0, 8192), "kept:"...)
		r, err := c.SendAppend(ctx, buf, echoDst(t, c), []byte("hello"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(r.Payload, []byte("kept:hello")) || len(r.Payload) != len("kept:")+mock.DefaultReplySize {
			t.Fatalf("payload %q... (%d bytes)", r.Payload[:min(16, len(r.Payload))], len(r.Payload))
		}
		if &r.Payload[0] != &buf[:1][0] {
			t.Fatal("a buffer with room was not used")
		}
		// Again into the same memory: the previous reply is overwritten.
		r2, err := c.SendAppend(ctx, r.Payload[:0], echoDst(t, c), []byte("again"))
		if err != nil || !bytes.HasPrefix(r2.Payload, []byte("again")) || &r2.Payload[0] != &buf[:1][0] {
			t.Fatalf("second call: %v", err)
		}
	})
}
