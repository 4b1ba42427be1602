package client_test

import (
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
