package bench_test

import (
	"testing"

	"github.com/katzenthin/katzenthin/internal/mockdproc"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// startMockd runs mockd of generation gen on a fresh abstract socket
// until the test ends, and returns a dialer for it.
func startMockd(tb testing.TB, gen wire.Generation) transport.Dialer {
	tb.Helper()
	return transport.Unix(mockdproc.Start(tb, gen).Addr)
}
