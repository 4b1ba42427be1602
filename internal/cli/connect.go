package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/transport"
)

// Connect dials the daemon the flags name and returns a ready client and
// the cleanup that closes it. With -mock it first starts the bundled mock
// daemon in-process on a private address, says so on stderr, and the
// cleanup closes the mock too. opts are passed to client.Dial after the
// options the flags make.
//
// The error is meant for a person, to be printed with Fail: when nothing
// listens at the address it says how to start a daemon or to use -mock.
// errors.Is still reaches the cause (transport.ErrDaemonNotRunning,
// client.ErrUntrustedDaemon, ...).
func Connect(ctx context.Context, f *Flags, stderr io.Writer, opts ...client.Option) (*client.Client, func(), error) {
	if f.Mock {
		return connectMock(ctx, f, stderr, opts)
	}
	d, err := transport.Parse(f.Daemon)
	if err != nil {
		return nil, nil, &UsageError{Err: fmt.Errorf("-daemon: %w", err)}
	}
	c, err := client.Dial(ctx, f.dialOptions(d, opts)...)
	if err != nil {
		return nil, nil, explain(f.Daemon, err)
	}
	f.addr = f.Daemon
	return c, func() { c.Close() }, nil
}

// dialOptions are the client options the flags make, then opts.
func (f *Flags) dialOptions(d transport.Dialer, opts []client.Option) []client.Option {
	all := []client.Option{client.WithDialer(d)}
	if len(f.DaemonUIDs) > 0 {
		all = append(all, client.WithDaemonUIDs(f.DaemonUIDs...))
	}
	return append(all, opts...)
}

// connectMock starts a mock daemon, as mock.Start does for tests, and
// dials it.
func connectMock(ctx context.Context, f *Flags, stderr io.Writer, opts []client.Option) (*client.Client, func(), error) {
	gen, err := f.generation()
	if err != nil {
		return nil, nil, err
	}
	l, removeDir, err := listenPrivate()
	if err != nil {
		return nil, nil, fmt.Errorf("starting the mock daemon: %w", err)
	}
	d := mock.New(append([]mock.Option{mock.WithGeneration(gen)}, f.MockOptions...)...)
	served := make(chan error, 1)
	go func() {
		err := d.Serve(l)
		if err != nil {
			d.Close() // a bad option: Serve never served, so end the Dial that waits for it
		}
		served <- err
	}()
	stopMock := func() error {
		d.Close()
		err := <-served
		removeDir()
		if errors.Is(err, mock.ErrClosed) { // closed before Serve got going
			err = nil
		}
		return err
	}
	fmt.Fprintf(stderr, "using the bundled mock daemon at %s (kpclientd %s protocol)\n", addrOf(l), gen)

	c, err := client.Dial(ctx, f.dialOptions(d.Dialer(), opts)...)
	if err != nil {
		if serr := stopMock(); serr != nil {
			return nil, nil, fmt.Errorf("the mock daemon did not start: %w", serr)
		}
		return nil, nil, explain(addrOf(l), err)
	}
	f.addr = addrOf(l)
	var once sync.Once
	cleanup := func() {
		once.Do(func() {
			c.Close()
			stopMock()
		})
	}
	return c, cleanup, nil
}

// listenPrivate listens on a fresh random address of its own: the abstract
// socket "@katzenthin-demo-<hex>" on Linux, else a socket file in a new
// temporary directory, which removeDir removes.
func listenPrivate() (l net.Listener, removeDir func(), err error) {
	var b [6]byte
	rand.Read(b[:])
	name := "katzenthin-demo-" + hex.EncodeToString(b[:])
	if runtime.GOOS == "linux" {
		l, err = net.Listen("unix", "@"+name)
		return l, func() {}, err
	}
	dir, err := os.MkdirTemp("", name)
	if err != nil {
		return nil, nil, err
	}
	removeDir = func() { os.RemoveAll(dir) }
	if l, err = net.Listen("unix", filepath.Join(dir, "kpclientd.sock")); err != nil {
		removeDir()
		return nil, nil, err
	}
	return l, removeDir, nil
}

// addrOf writes a listener's address as -daemon takes it.
func addrOf(l net.Listener) string {
	s := l.Addr().String()
	if s != "" && s[0] != '@' && s[0] != '/' {
		s = "unix:" + s
	}
	return s
}

// explain rewrites a Dial error as one line that says what to do.
func explain(addr string, err error) error {
	var msg string
	switch pe, isPeer := errors.AsType[*client.PeerError](err); {
	case errors.Is(err, transport.ErrDaemonNotRunning):
		msg = fmt.Sprintf("no daemon is listening at %s: start kpclientd there (its client.toml sets the address), "+
			"or a stand-in with \"go run ./cmd/mockd -listen %s\" in the katzenthin repository, "+
			"or pass -mock to use the bundled mock daemon", addr, addr)
	case isPeer && pe.Err == nil:
		msg = fmt.Sprintf("the daemon at %s runs as uid %d (pid %d), neither our user nor root; "+
			"if you trust it, pass -daemon-uid %d", addr, pe.UID, pe.PID, pe.UID)
	case errors.Is(err, client.ErrHandshakeTimeout):
		msg = fmt.Sprintf("the daemon at %s accepted the connection but did not finish the handshake; "+
			"a kpclientd that has no PKI document yet does this: wait until it has fetched one (%v)", addr, err)
	case errors.Is(err, context.Canceled):
		msg = fmt.Sprintf("interrupted while connecting to the daemon at %s", addr)
	default:
		msg = fmt.Sprintf("cannot use the daemon at %s: %v", addr, err)
	}
	return &hintError{msg: msg, err: err}
}
