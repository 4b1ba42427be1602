// Package channeltest is the conformance suite of channel.Store: the
// bundled stores pass it, and a store an application writes over its own
// database runs it from a test of its own.
package channeltest

import (
	"testing"

	"github.com/katzenthin/katzenthin/pigeonhole/channel"
)

// Run checks the semantics of the stores newStore returns: each call
// gives a fresh, empty store, which Run closes.
func Run(t *testing.T, newStore func(t *testing.T) channel.Store) {
	t.Skip("not written yet")
}

// RunPersistent checks that a store survives Close: open opens the store
// at location (a fresh path in a temporary directory per subtest), and
// opening the same location again after Close must give the same data.
func RunPersistent(t *testing.T, open func(t *testing.T, location string) (channel.Store, error)) {
	t.Skip("not written yet")
}
