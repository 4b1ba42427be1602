package mock_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// listenEnv starts a daemon with mock.Listen and closes it at the end,
// checking that Close reports no serving error.
func listenEnv(t *testing.T, addr string, gen wire.Generation) (*env, string) {
	t.Helper()
	d, got, err := mock.Listen(addr, mock.WithGeneration(gen))
	if err != nil {
		t.Fatalf("Listen(%q): %v", addr, err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &env{t: t, d: d, gen: gen}, got
}

// echoOnce does a handshake and one echo over a raw client.
func echoOnce(e *env) {
	e.t.Helper()
	c := e.connect(nil)
	surb := c.sendSURB(e.dest("echo"), []byte("ping"))
	c.expectSent(surb)
	c.expectReply(surb, []byte("ping"), mock.DefaultReplySize)
}

func TestListenFreshAddress(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e, addr := listenEnv(t, "", gen)
		if addr != e.d.Addr() {
			t.Errorf("Listen returned %q, Addr says %q", addr, e.d.Addr())
		}
		if _, err := transport.Parse(addr); err != nil {
			t.Errorf("transport.Parse(%q): %v", addr, err)
		}
		echoOnce(e)
	})
}

func TestListenTCP(t *testing.T) {
	e, addr := listenEnv(t, "tcp:127.0.0.1:0", wire.Generation47)
	if !strings.HasPrefix(addr, "tcp:127.0.0.1:") || strings.HasSuffix(addr, ":0") {
		t.Fatalf("Listen(tcp:127.0.0.1:0) = %q, want the port it picked", addr)
	}
	echoOnce(e)
}

func TestListenPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kp.sock")
	d, addr, err := mock.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	if addr != path {
		t.Errorf("Listen(%q) returned %q", path, addr)
	}
	echoOnce(&env{t: t, d: d, gen: mock.DefaultGeneration})
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the socket file is still there after Close: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestListenErrors(t *testing.T) {
	d, _, err := mock.Listen("", mock.WithLoss(2))
	if !errors.Is(err, mock.ErrInvalidOption) || d != nil {
		t.Errorf("Listen with a bad option = %v, %v; want nil, ErrInvalidOption", d, err)
	}
	if _, _, err := mock.Listen("ftp:example"); err == nil {
		t.Error("Listen(ftp:example) succeeded")
	}
	_, taken := listenEnv(t, "", wire.Generation47)
	if d, _, err := mock.Listen(taken); err == nil {
		d.Close()
		t.Errorf("Listen(%q) on an address in use succeeded", taken)
	}
}

func TestListenAndServe(t *testing.T) {
	d := mock.New(mock.WithGeneration(wire.Generation99))
	served := make(chan error, 1)
	go func() { served <- d.ListenAndServe("") }()
	// The dialer waits for the daemon to listen: no sleep needed.
	echoOnce(&env{t: t, d: d, gen: wire.Generation99})
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("ListenAndServe after Close = %v, want nil", err)
	}
	if err := d.ListenAndServe(""); !errors.Is(err, mock.ErrClosed) {
		t.Errorf("ListenAndServe on a closed daemon = %v, want ErrClosed", err)
	}
}

func TestListenAndServeErrors(t *testing.T) {
	_, taken := listenEnv(t, "", wire.Generation47)
	d := mock.New()
	defer d.Close()
	if err := d.ListenAndServe(taken); err == nil {
		t.Errorf("ListenAndServe(%q) on an address in use succeeded", taken)
	}
	if err := d.ListenAndServe("tcp:"); err == nil {
		t.Error("ListenAndServe(tcp:) succeeded")
	}
	bad := mock.New(mock.WithMaxPayload(-1))
	if err := bad.ListenAndServe(""); !errors.Is(err, mock.ErrInvalidOption) {
		t.Errorf("ListenAndServe with a bad option = %v, want ErrInvalidOption", err)
	}
}

// Closing at once, before the serving goroutine has run, is a clean end.
func TestListenCloseAtOnce(t *testing.T) {
	for range 50 {
		d, _, err := mock.Listen("")
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Close(); err != nil {
			t.Fatalf("Close right after Listen: %v", err)
		}
	}
}
