package client_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/service"
	"github.com/katzenthin/katzenthin/wire"
)

// sumService is a CBOR service: it decodes a list of integers and
// answers their sum, or an empty reply for anything else.
func sumService(payload []byte) []byte {
	var xs []int
	if _, err := cbor.UnmarshalFirst(payload, &xs); err != nil {
		return nil
	}
	total := 0
	for _, x := range xs {
		total += x
	}
	out, _ := cbor.Marshal(total)
	return out
}

func callCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dest(t *testing.T, c *client.Client, capability string) service.Destination {
	t.Helper()
	svc, err := c.Service(capability)
	if err != nil {
		t.Fatal(err)
	}
	return svc.Destination()
}

func TestCall(t *testing.T) {
	generations(t, func(t *testing.T, gen wire.Generation) {
		d := startMock(t, gen, mock.WithService("sum", sumService))
		c := dialMock(t, d)
		ctx := callCtx(t)

		s, err := client.Call[string](ctx, c, dest(t, c, "echo"), "hello")
		if err != nil || s != "hello" {
			t.Errorf("Call[string](echo, hello) = %q, %v", s, err)
		}
		// Binary data ending in zeros survives: stripping the padding by
		// hand would have cut them off.
		in := []byte{1, 2, 0, 0}
		b, err := client.Call[[]byte](ctx, c, dest(t, c, "echo"), in)
		if err != nil || !bytes.Equal(b, in) {
			t.Errorf("Call[[]byte](echo, %v) = %v, %v", in, b, err)
		}
		type point struct {
			X, Y int
			Name string `cbor:"name"`
		}
		p, err := client.Call[point](ctx, c, dest(t, c, "echo"), point{3, -4, "p"})
		if err != nil || p != (point{3, -4, "p"}) {
			t.Errorf("Call[point] = %+v, %v", p, err)
		}
		n, err := client.Call[int](ctx, c, dest(t, c, "sum"), []int{1, 2, 39})
		if err != nil || n != 42 {
			t.Errorf("Call[int](sum, 1 2 39) = %d, %v", n, err)
		}
	})
}

func TestCallBadReply(t *testing.T) {
	d := startMock(t, wire.Generation47, mock.WithService("sum", sumService))
	c := dialMock(t, d)
	ctx := callCtx(t)

	for _, tc := range []struct {
		capability string
		req        any
	}{
		{"echo", "a secret text"}, // a text string is not an int
		{"sum", "not a list"},     // an empty reply: its padding decodes as 0, not a map
	} {
		n, err := client.Call[map[string]int](ctx, c, dest(t, c, tc.capability), tc.req)
		if !errors.Is(err, client.ErrBadReply) {
			t.Errorf("Call[map](%s) = %v, %v; want ErrBadReply", tc.capability, n, err)
			continue
		}
		var de *client.DecodeReplyError
		if !errors.As(err, &de) || de.Len != mock.DefaultReplySize || de.Type != "map[string]int" || de.Err == nil {
			t.Errorf("error %#v: want a *DecodeReplyError with the type, the reply's length and the cause", err)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("the error prints the reply: %v", err)
		}
		var cborErr *cbor.UnmarshalTypeError
		if tc.capability == "echo" && !errors.As(err, &cborErr) {
			t.Errorf("error %v does not unwrap to the decoder's *cbor.UnmarshalTypeError", err)
		}
	}
}

func TestCallInvalidRequest(t *testing.T) {
	d := startMock(t, wire.Generation47)
	c := dialMock(t, d)
	ctx := callCtx(t)
	before := d.Stats().Requests

	if _, err := client.Call[string](ctx, c, dest(t, c, "echo"), make(chan int)); !errors.Is(err, client.ErrInvalidRequest) {
		t.Errorf("Call with a channel = %v, want ErrInvalidRequest", err)
	}
	big := strings.Repeat("x", client.DefaultMaxPayload)
	if _, err := client.Call[string](ctx, c, dest(t, c, "echo"), big); !errors.Is(err, client.ErrInvalidRequest) {
		t.Errorf("Call over the payload limit = %v, want ErrInvalidRequest", err)
	}
	// Nothing went to the daemon: one echo now is its next request.
	if _, err := client.Call[string](ctx, c, dest(t, c, "echo"), "x"); err != nil {
		t.Fatal(err)
	}
	if got := d.Stats().Requests - before; got != 1 {
		t.Errorf("the daemon saw %d requests, want only the valid one", got)
	}
}
