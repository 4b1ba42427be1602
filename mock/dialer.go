package mock

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/katzenthin/katzenthin/internal/wsconn"
	"github.com/katzenthin/katzenthin/transport"
)

// setAddrLocked makes l's address the daemon's Addr if it has none yet.
// The caller holds d.mu.
func (d *Daemon) setAddrLocked(l net.Listener) {
	if d.addr != "" {
		return
	}
	d.addr = addrString(l.Addr())
	close(d.serving)
}

// Addr returns the address of the first listener served, in the form
// transport.Parse reads ("@name", "/path", "tcp:host:port",
// "ws://host:port"), or "" before
// Serve. It is safe for concurrent use.
func (d *Daemon) Addr() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.addr
}

// Dialer returns a dialer for the daemon. Its Dial connects to Addr; called
// before Serve has started (as after "go d.Serve(l)"), it first waits for
// Serve, within its context, and it fails with ErrClosed once the daemon
// is closed without ever serving. It is safe for concurrent use.
func (d *Daemon) Dialer() transport.Dialer { return dialer{d} }

// dialer is the Daemon's transport.Dialer.
type dialer struct{ d *Daemon }

func (dl dialer) Dial(ctx context.Context) (net.Conn, error) {
	if dl.d.err != nil {
		// Serve refuses to start with a bad option: do not wait for it.
		return nil, dl.d.err
	}
	select {
	case <-dl.d.serving:
	case <-ctx.Done():
		return nil, fmt.Errorf("mock: waiting for Serve: %w", ctx.Err())
	case <-dl.d.done:
		return nil, ErrClosed
	}
	addr := dl.d.Addr()
	t, err := transport.Parse(addr)
	if err != nil {
		t = transport.Unix(addr)
	}
	return t.Dial(ctx)
}

// String returns the daemon's address, "" before Serve.
func (dl dialer) String() string { return dl.d.Addr() }

// addrString writes a listener's address in the form transport.Parse
// reads.
func addrString(a net.Addr) string {
	switch a := a.(type) {
	case *net.UnixAddr:
		name := a.Name
		for _, p := range []string{"@", "/", "./", "../"} {
			if strings.HasPrefix(name, p) {
				return name
			}
		}
		return "unix:" + name
	case *net.TCPAddr:
		return "tcp:" + a.String()
	case wsconn.Addr:
		return a.Host // the URL
	default:
		return a.Network() + ":" + a.String()
	}
}
