package integration

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/katzenthin/katzenthin/service"
)

// The echo service answers a send with a SURB, a reliable send, and a
// send after a no-reply send.
func TestEcho(t *testing.T) {
	s := load(t)
	c := dial(t, s)
	svc, err := c.Service(s.echo)
	if err != nil {
		t.Fatalf("Service(%q): %v", s.echo, err)
	}
	dst := svc.Destination()
	echo := func(name string, send func(context.Context, service.Destination, []byte) ([]byte, error)) {
		step(t, s, name, func(ctx context.Context) error {
			msg := []byte("katzenthin integration " + name)
			got, err := send(ctx, dst, msg)
			if err != nil {
				return err
			}
			if !bytes.HasPrefix(got, msg) {
				return fmt.Errorf("reply of %d bytes does not start with the %d sent", len(got), len(msg))
			}
			return nil
		})
	}
	echo("Send (SURB)", func(ctx context.Context, dst service.Destination, msg []byte) ([]byte, error) {
		r, err := c.Send(ctx, dst, msg)
		return r.Payload, err
	})
	echo("SendReliable", func(ctx context.Context, dst service.Destination, msg []byte) ([]byte, error) {
		r, err := c.SendReliable(ctx, dst, msg)
		return r.Payload, err
	})
	step(t, s, "SendNoReply", func(ctx context.Context) error {
		return c.SendNoReply(ctx, dst, []byte("katzenthin integration: no reply wanted"))
	})
	echo("Send after SendNoReply", func(ctx context.Context, dst service.Destination, msg []byte) ([]byte, error) {
		r, err := c.Send(ctx, dst, msg)
		return r.Payload, err
	})
}

// The daemon's PKI document: the current one, and asked for by epoch.
func TestDocument(t *testing.T) {
	s := load(t)
	c := dial(t, s)
	doc := c.Document()
	if doc == nil || doc.Epoch == 0 || len(doc.ServiceNodes) == 0 {
		t.Fatalf("current document: %v", doc)
	}
	t.Logf("epoch %d, %d service nodes", doc.Epoch, len(doc.ServiceNodes))
	step(t, s, "DocumentForEpoch(current)", func(ctx context.Context) error {
		d, err := c.DocumentForEpoch(ctx, 0)
		if err != nil {
			return err
		}
		if d.Epoch < doc.Epoch {
			return fmt.Errorf("epoch %d, older than the current %d", d.Epoch, doc.Epoch)
		}
		return nil
	})
}
