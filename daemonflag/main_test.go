package daemonflag_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The os/signal package's own goroutine stays once Interrupts has called
// signal.Notify; everything else must be gone.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("os/signal.signal_recv"))
}
