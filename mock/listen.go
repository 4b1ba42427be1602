package mock

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	"github.com/katzenthin/katzenthin/transport"
)

// Listen starts a daemon outside tests, as net/http users know it: it
// makes the daemon (New with opts), listens on addr, serves in a
// goroutine, and returns the daemon and the address it listens on, in
// the form transport.Parse reads. Close the daemon when done; its Close
// then returns the error that ended serving, if any besides Close.
//
// addr takes transport.Parse's forms ("@name", "/path/kp.sock",
// "unix:...", "tcp:127.0.0.1:64331"; "tcp:127.0.0.1:0" picks a free
// port), a WebSocket URL ("ws://127.0.0.1:64331", served as kpclientd
// v0.0.99's [Listen.Ws] is; "ws://127.0.0.1:0" picks a free port; no
// wss://, for want of a certificate), and "" picks a fresh random
// address as Start does. A bad option
// or address, or a failed listen, is returned here, and no goroutine is
// left running.
func Listen(addr string, opts ...Option) (*Daemon, string, error) {
	d := New(opts...)
	if d.err != nil {
		return nil, "", d.err
	}
	l, cleanup, err := listen(addr)
	if err != nil {
		return nil, "", err
	}
	d.mu.Lock()
	d.setAddrLocked(l)
	d.mu.Unlock()
	bg := &background{done: make(chan struct{})}
	d.bg = bg
	go func() {
		defer close(bg.done)
		defer cleanup()
		// A Close that comes before this goroutine runs makes Serve
		// return ErrClosed: that is a normal end, not a failure.
		if err := d.Serve(l); !errors.Is(err, ErrClosed) {
			bg.err = err
		}
	}()
	return d, d.Addr(), nil
}

// ListenAndServe listens on addr (Listen's forms, "" for a fresh random
// address) and serves until Close, like http.Server's. It returns nil
// after Close, and otherwise the error that stopped it: a bad option
// (ErrInvalidOption), a bad address, a failed listen, a failed accept,
// or ErrClosed when the daemon was already closed. Addr reports the
// address once it listens.
func (d *Daemon) ListenAndServe(addr string) error {
	if d.err != nil {
		return d.err
	}
	l, cleanup, err := listen(addr)
	if err != nil {
		return err
	}
	defer cleanup()
	return d.Serve(l)
}

// background is a Serve that Listen started, for Close to wait for.
type background struct {
	done chan struct{} // closed when Serve has returned
	err  error         // Serve's error, set before done is closed
}

// listen opens a listener on addr ("" for a fresh address). cleanup
// removes what the listener leaves behind (a temporary directory) and is
// to be called once it is closed.
func listen(addr string) (l net.Listener, cleanup func(), err error) {
	if addr == "" {
		return listenFresh()
	}
	dl, err := transport.Parse(addr)
	if err != nil {
		return nil, nil, err
	}
	if _, ok := dl.(transport.WebSocketDialer); ok {
		u, err := url.Parse(addr) // transport.Parse checked it
		if err != nil {
			return nil, nil, fmt.Errorf("mock: %w", err)
		}
		l, err := listenWebSocket(u)
		if err != nil {
			return nil, nil, err
		}
		return l, func() {}, nil
	}
	a, ok := dl.(interface {
		Network() string
		Address() string
	})
	if !ok {
		return nil, nil, fmt.Errorf("mock: cannot listen on %q", addr)
	}
	l, err = net.Listen(a.Network(), a.Address())
	if err != nil {
		return nil, nil, fmt.Errorf("mock: %w", err)
	}
	return l, func() {}, nil
}

// listenFresh listens on a fresh random abstract Unix address,
// "@katzenthin-mock-<hex>", or on systems without abstract sockets on a
// socket file in a new temporary directory.
func listenFresh() (net.Listener, func(), error) {
	var b [8]byte
	rand.Read(b[:])
	name := "katzenthin-mock-" + hex.EncodeToString(b[:])
	if runtime.GOOS == "linux" {
		l, err := net.Listen("unix", "@"+name)
		if err != nil {
			return nil, nil, fmt.Errorf("mock: %w", err)
		}
		return l, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "kt")
	if err != nil {
		return nil, nil, fmt.Errorf("mock: %w", err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	l, err := net.Listen("unix", filepath.Join(dir, "mock.sock"))
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("mock: %w", err)
	}
	return l, cleanup, nil
}
