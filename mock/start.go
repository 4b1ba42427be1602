package mock

import (
	"errors"
	"net"
	"testing"
)

// Start starts a daemon for a test, as httptest.NewServer does: it
// listens on a fresh random abstract Unix address,
// "@katzenthin-mock-<hex>" (on systems without abstract sockets, a socket
// file in a temporary directory), serves in a goroutine and closes the
// daemon when the test ends (tb.Cleanup). A bad option or a failed
// listen fails the test at once, so call it from the test's goroutine; the
// daemon it returns is safe for concurrent use.
func Start(tb testing.TB, opts ...Option) *Daemon {
	tb.Helper()
	d := New(opts...)
	if d.err != nil {
		tb.Fatalf("mock.Start: %v", d.err)
	}
	l, err := listenTest(tb)
	if err != nil {
		tb.Fatalf("mock.Start: %v", err)
	}
	d.mu.Lock()
	d.setAddrLocked(l)
	d.mu.Unlock()
	errc := make(chan error, 1)
	go func() { errc <- d.Serve(l) }()
	tb.Cleanup(func() {
		d.Close()
		// ErrClosed: the test closed the daemon before Serve began.
		if err := <-errc; err != nil && !errors.Is(err, ErrClosed) {
			tb.Errorf("mock: Serve: %v", err)
		}
	})
	return d
}

// listenTest opens a Unix listener on a fresh address and removes what
// it leaves behind when the test ends.
func listenTest(tb testing.TB) (net.Listener, error) {
	l, cleanup, err := listenFresh()
	if err != nil {
		return nil, err
	}
	tb.Cleanup(cleanup)
	return l, nil
}
