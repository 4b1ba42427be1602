// Package waitfor holds the tests' waits on events of the mock and the
// client (never sleeps): shared by the test packages of client and
// pigeonhole.
package waitfor

import (
	"context"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
)

// Timeout bounds each wait: a condition that never comes fails the
// test instead of hanging it.
const Timeout = 10 * time.Second

// Pigeonhole waits until the mock's Pigeonhole counters satisfy cond
// and returns them. They change on the mock's goroutines, after the
// client's write returned; the mock wakes the wait at each change.
func Pigeonhole(t testing.TB, d *mock.Daemon, what string, cond func(mock.PigeonholeStats) bool) mock.PigeonholeStats {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	st, err := d.WaitPigeonhole(ctx, cond)
	if err != nil {
		t.Fatalf("waiting for %s: %v (stats %+v)", what, err, st)
	}
	return st
}

// Reconnect waits until c has counted a reconnection since its
// Stats().Reconnects was before. The client counts a reconnection before
// it publishes Reconnected, so every event is a moment to look again; and
// the subscription is taken before the first look, so a reconnection is
// seen whether it came before that look or after.
func Reconnect(t testing.TB, c *client.Client, before uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	events, stop := c.Subscribe()
	defer stop()
	for c.Stats().Reconnects <= before {
		select {
		case _, ok := <-events:
			if !ok {
				t.Fatal("waiting for the reconnection: the client closed")
			}
		case <-ctx.Done():
			t.Fatalf("waiting for the reconnection: %v (stats %+v)", ctx.Err(), c.Stats())
		}
	}
}
