package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

// expectCurrent reads the two events a subscription starts with: the
// connection status, then the current document.
func expectCurrent(t testing.TB, events <-chan client.Event, connected bool, doc *pki.Document) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for i, want := range []string{"status", "document"} {
		var ev client.Event
		select {
		case ev = <-events:
		case <-timeout:
			t.Fatalf("no %s event", want)
		}
		switch ev := ev.(type) {
		case *client.ConnectionStatus:
			if i != 0 || ev.Connected != connected || ev.Err != nil {
				t.Fatalf("event %d: %v, want first ConnectionStatus{connected=%v}", i, ev, connected)
			}
		case *client.NewDocument:
			if i != 1 || ev.Document != doc {
				t.Fatalf("event %d: %v, want the current document second", i, ev)
			}
		default:
			t.Fatalf("event %d: %v, want the current %s", i, ev, want)
		}
	}
}

// A subscription starts with the state as it is: the handshake's status
// and document came before Subscribe, and a subscriber needs them.
func TestSubscribeStartsWithState(t *testing.T) {
	generations(t, func(t *testing.T, gen wire.Generation) {
		d := startMock(t, gen)
		c := dialMock(t, d)
		events, cancel := c.Subscribe()
		defer cancel()
		expectCurrent(t, events, true, c.Document())

		// Then the live events, in order: a status change, a document.
		d.SetConnected(false)
		if ev, ok := (<-events).(*client.ConnectionStatus); !ok || ev.Connected {
			t.Fatalf("want ConnectionStatus{disconnected}, got %v", ev)
		}
		next := *d.Document()
		next.Epoch++
		d.PublishDocument(&next)
		if ev, ok := (<-events).(*client.NewDocument); !ok || ev.Document.Epoch != next.Epoch {
			t.Fatalf("want NewDocument{epoch=%d}, got %v", next.Epoch, ev)
		}

		// A later subscriber starts from the new state.
		later, cancelLater := c.Subscribe()
		defer cancelLater()
		expectCurrent(t, later, false, c.Document())
		if c.Document().Epoch != next.Epoch {
			t.Fatalf("document epoch %d, want %d", c.Document().Epoch, next.Epoch)
		}
	})
}

func TestSubscribeStartsOffline(t *testing.T) {
	d := startMock(t, wire.Generation47, mock.WithOffline())
	c := dialMock(t, d)
	events, cancel := c.Subscribe()
	defer cancel()
	expectCurrent(t, events, false, c.Document())
}

// Subscribing after Close gives a closed channel and no state.
func TestSubscribeAfterClose(t *testing.T) {
	d := startMock(t, wire.Generation47)
	c := dialMock(t, d)
	c.Close()
	events, cancel := c.Subscribe()
	defer cancel()
	if ev, ok := <-events; ok {
		t.Fatalf("event %v on a closed client's subscription", ev)
	}
}

// TestEventsPublishedBeforeTheCallReturns: when Send or SendReliable
// returns, its sent event and its reply event are already in a
// subscriber's channel, in that order, with the call's IDs (the reader
// publishes a message event before it moves the call).
func TestEventsPublishedBeforeTheCallReturns(t *testing.T) {
	generations(t, func(t *testing.T, gen wire.Generation) {
		d := startMock(t, gen)
		c := dialMock(t, d, client.WithSubscriberBuffer(8))
		events, stop := c.Subscribe()
		defer stop()
		expectCurrent(t, events, true, c.Document())
		dst := echoDst(t, c)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		next := func() client.Event {
			select {
			case ev := <-events:
				return ev
			default:
				t.Fatal("the call returned before its events were published")
				return nil
			}
		}
		for i := range 50 {
			send, kind := c.Send, "Send"
			if i%2 == 1 {
				send, kind = c.SendReliable, "SendReliable"
			}
			r, err := send(ctx, dst, []byte("published first"))
			if err != nil {
				t.Fatal(err)
			}
			sent, ok := next().(*client.MessageSent)
			if !ok {
				t.Fatalf("%s %d: the first event is not MessageSent", kind, i)
			}
			reply, ok := next().(*client.MessageReply)
			if !ok {
				t.Fatalf("%s %d: the second event is not MessageReply", kind, i)
			}
			if kind == "Send" && (sent.SURBID != r.SURBID || reply.SURBID != r.SURBID) {
				t.Fatalf("Send %d: events for another call", i)
			}
			if kind == "SendReliable" && (sent.MessageID != r.MessageID || reply.MessageID != r.MessageID) {
				t.Fatalf("SendReliable %d: events for another call", i)
			}
		}
	})
}
