package transport_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/katzenthin/katzenthin/transport"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// addresser is implemented by the dialers of the package.
type addresser interface {
	transport.Dialer
	Network() string
	Address() string
	String() string
}

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		network string
		address string
		str     string
	}{
		{"@katzenpost", "unix", "@katzenpost", "@katzenpost"},
		{"/run/kp.sock", "unix", "/run/kp.sock", "/run/kp.sock"},
		{"./kp.sock", "unix", "./kp.sock", "./kp.sock"},
		{"../run/kp.sock", "unix", "../run/kp.sock", "../run/kp.sock"},
		{"unix:@x", "unix", "@x", "@x"},
		{"unix:/p", "unix", "/p", "/p"},
		{"unix:kp.sock", "unix", "kp.sock", "unix:kp.sock"},
		{"unix:C:\\kp.sock", "unix", "C:\\kp.sock", "unix:C:\\kp.sock"},
		{"tcp:127.0.0.1:64331", "tcp", "127.0.0.1:64331", "tcp:127.0.0.1:64331"},
		{"tcp:localhost:64331", "tcp", "localhost:64331", "tcp:localhost:64331"},
		{"tcp::64331", "tcp", ":64331", "tcp::64331"},
		{"tcp4:localhost:64331", "tcp4", "localhost:64331", "tcp4:localhost:64331"},
		{"tcp6:[::1]:64331", "tcp6", "[::1]:64331", "tcp6:[::1]:64331"},
		{"tcp:[fe80::1%eth0]:1", "tcp", "[fe80::1%eth0]:1", "tcp:[fe80::1%eth0]:1"},
		{"ws://127.0.0.1:64331", "ws", "ws://127.0.0.1:64331", "ws://127.0.0.1:64331"},
		{"ws://localhost:64331/thin?v=1", "ws", "ws://localhost:64331/thin?v=1", "ws://localhost:64331/thin?v=1"},
		{"ws://[::1]:64331", "ws", "ws://[::1]:64331", "ws://[::1]:64331"},
		{"wss://kp.example", "wss", "wss://kp.example", "wss://kp.example"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := transport.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			a, ok := d.(addresser)
			if !ok {
				t.Fatalf("Parse(%q) = %T, which lacks Network, Address or String", tt.in, d)
			}
			if got := a.Network(); got != tt.network {
				t.Errorf("Network() = %q, want %q", got, tt.network)
			}
			if got := a.Address(); got != tt.address {
				t.Errorf("Address() = %q, want %q", got, tt.address)
			}
			if got := a.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			again, err := transport.Parse(a.String())
			if err != nil {
				t.Fatalf("Parse(String()) = %v", err)
			}
			if again != d {
				t.Errorf("Parse(%q) = %v, not equal to %v", a.String(), again, d)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		in     string
		reason string // part of the message
	}{
		{"", "empty"},
		{"@", "empty abstract socket name"},
		{"unix:", "empty socket address"},
		{"unix:@", "empty abstract socket name"},
		{"katzenpost", `"@katzenpost"`},
		{"kp.sock", `"./kp.sock"`},
		{"127.0.0.1:64331", `unknown scheme "127.0.0.1"`},
		{"udp:127.0.0.1:1", `unknown scheme "udp"`},
		{"TCP:127.0.0.1:1", `unknown scheme "TCP"`},
		{"http://localhost:1", `unknown scheme "http"`},
		{"https://localhost:1", `unknown scheme "https"`},
		{"ws:", "a WebSocket URL starts with ws:// or wss://"},
		{"ws:127.0.0.1:1", "a WebSocket URL starts with ws:// or wss://"},
		{"ws://", "no host"},
		{"wss:///thin", "no host"},
		{"ws://:64331", "no host"},
		{"ws://127.0.0.1:", "empty port"},
		{"ws://[::1:1", "missing ']'"},
		{"ws://h:1/%zz", "invalid URL escape"},
		{"ws://h:1/#top", "no fragment"},
		{"ws://me:secret@h:1", `"ws://me:REDACTED@h:1": user information`},
		{"WS://h:1", `unknown scheme "WS"`},
		{"tcp:", "missing port"},
		{"tcp:127.0.0.1", "missing port"},
		{"tcp:127.0.0.1:", "missing port"},
		{"tcp:::1:80", "too many colons"},
		{"tcp6:[::1", "missing ']'"},
		{"tcp4:", "missing port"},
		{"@kp\x00", "NUL"},
		{"unix:/p\x00", "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := transport.Parse(tt.in)
			if !errors.Is(err, transport.ErrInvalidAddress) {
				t.Fatalf("Parse(%q) = %v, %v; want ErrInvalidAddress", tt.in, d, err)
			}
			if d != nil {
				t.Errorf("Parse(%q) returned dialer %v with its error", tt.in, d)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "transport: invalid address: ") || !strings.Contains(msg, tt.reason) {
				t.Errorf("error %q: want the prefix and %q", msg, tt.reason)
			}
		})
	}
}

func TestDialersAreComparable(t *testing.T) {
	if transport.Default() != transport.Unix(transport.DefaultAddress) {
		t.Error("Default() != Unix(DefaultAddress)")
	}
	if got := transport.Default().(addresser).String(); got != "@katzenpost" {
		t.Errorf("Default().String() = %q", got)
	}
	if transport.Unix("@x") != transport.Unix("@x") {
		t.Error(`Unix("@x") != Unix("@x")`)
	}
	if transport.Unix("@x") == transport.Unix("@y") {
		t.Error(`Unix("@x") == Unix("@y")`)
	}
	if transport.TCP("127.0.0.1:1") != must(transport.Parse("tcp:127.0.0.1:1")) {
		t.Error(`TCP("127.0.0.1:1") != Parse("tcp:127.0.0.1:1")`)
	}
	if transport.TCP("127.0.0.1:1") == must(transport.Parse("tcp4:127.0.0.1:1")) {
		t.Error("a tcp dialer equals a tcp4 dialer")
	}
	// Usable as map keys.
	seen := map[transport.Dialer]bool{transport.Default(): true}
	if !seen[must(transport.Parse("unix:@katzenpost"))] {
		t.Error("Parse(unix:@katzenpost) is not the same map key as Default()")
	}
}

func TestZeroDialers(t *testing.T) {
	for _, d := range []transport.Dialer{
		transport.UnixDialer{}, transport.TCPDialer{}, transport.Unix(""), transport.TCP(""),
		transport.WebSocketDialer{}, transport.WebSocket(""), transport.WebSocket("http://127.0.0.1:1"),
	} {
		conn, err := d.Dial(t.Context())
		if !errors.Is(err, transport.ErrInvalidAddress) {
			t.Errorf("%#v.Dial = %v, %v; want ErrInvalidAddress", d, conn, err)
		}
	}
	if got := (transport.TCPDialer{}).Network(); got != "tcp" {
		t.Errorf("TCPDialer{}.Network() = %q, want tcp", got)
	}
}

// transportCase is a listener of one kind and the dialer that reaches it.
type transportCase struct {
	name     string
	listener net.Listener
	dialer   transport.Dialer
}

// forEachTransport runs f in a subtest against a fresh listener of every
// kind this platform has: abstract Unix socket (Linux), Unix socket path,
// TCP on the loopback. The listener is closed when the subtest ends.
func forEachTransport(t *testing.T, f func(t *testing.T, tc transportCase)) {
	t.Helper()
	kinds := []struct {
		name string
		make func(t *testing.T) (network, address string, d transport.Dialer)
	}{
		{"abstract", func(t *testing.T) (string, string, transport.Dialer) {
			if runtime.GOOS != "linux" {
				t.Skip("abstract Unix sockets are Linux only")
			}
			a := abstractName(t)
			return "unix", a, transport.Unix(a)
		}},
		{"path", func(t *testing.T) (string, string, transport.Dialer) {
			p := filepath.Join(t.TempDir(), "kp.sock")
			return "unix", p, transport.Unix(p)
		}},
		{"tcp", func(t *testing.T) (string, string, transport.Dialer) {
			return "tcp", "127.0.0.1:0", nil
		}},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			network, address, d := k.make(t)
			l, err := net.Listen(network, address)
			if err != nil {
				t.Fatalf("listen: %v", err)
			}
			t.Cleanup(func() { l.Close() })
			if d == nil {
				d = transport.TCP(l.Addr().String())
			}
			f(t, transportCase{name: k.name, listener: l, dialer: d})
		})
	}
}

// abstractName returns a fresh abstract socket name, "@" included.
func abstractName(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	rand.Read(b)
	return "@katzenthin-test-" + hex.EncodeToString(b)
}

// missingPath returns a socket path in a fresh directory where nothing
// exists.
func missingPath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "kp.sock")
}

func must(d transport.Dialer, err error) transport.Dialer {
	if err != nil {
		panic(err)
	}
	return d
}

// echoOnce accepts one connection on l, echoes what it reads until EOF,
// and reports the outcome on the returned channel.
func echoOnce(l net.Listener) <-chan error {
	done := make(chan error, 1)
	go func() {
		conn, err := l.Accept()
		if err != nil {
			done <- err
			return
		}
		defer conn.Close()
		_, err = io.Copy(conn, conn)
		done <- err
	}()
	return done
}

func TestDialExchange(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tc transportCase) {
		done := echoOnce(tc.listener)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		conn, err := tc.dialer.Dial(ctx)
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		defer conn.Close()
		// The context ends with Dial: the connection must outlive it.
		cancel()

		switch tc.name {
		case "tcp":
			if _, ok := conn.(*net.TCPConn); !ok {
				t.Errorf("conn is %T, want *net.TCPConn", conn)
			}
		default:
			if _, ok := conn.(*net.UnixConn); !ok {
				t.Errorf("conn is %T, want *net.UnixConn", conn)
			}
		}

		msg := []byte("\x00\x00\x00\x04ping")
		for range 3 {
			if _, err := conn.Write(msg); err != nil {
				t.Fatalf("Write: %v", err)
			}
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(conn, got); err != nil {
				t.Fatalf("Read: %v", err)
			}
			if !bytes.Equal(got, msg) {
				t.Fatalf("read %q, want %q", got, msg)
			}
		}
		if err := conn.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
			t.Fatalf("CloseWrite: %v", err)
		}
		if err := <-done; err != nil {
			t.Fatalf("server: %v", err)
		}
	})
}

func TestDialContextCanceled(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tc transportCase) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		conn, err := tc.dialer.Dial(ctx)
		if err == nil {
			conn.Close()
			t.Fatal("Dial with a cancelled context succeeded")
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if errors.Is(err, transport.ErrDaemonNotRunning) {
			t.Errorf("err = %v matches ErrDaemonNotRunning", err)
		}
		var de *transport.DialError
		if !errors.As(err, &de) {
			t.Fatalf("err = %T, want *transport.DialError", err)
		}
		want := "transport: dial " + tc.dialer.(addresser).String() + ": context canceled"
		if err.Error() != want {
			t.Errorf("err = %q, want %q", err, want)
		}
	})
}

func TestDialDeadlineExpired(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tc transportCase) {
		ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
		defer cancel()
		conn, err := tc.dialer.Dial(ctx)
		if err == nil {
			conn.Close()
			t.Fatal("Dial with an expired deadline succeeded")
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestDaemonNotRunning(t *testing.T) {
	type tcase struct {
		name   string
		dialer transport.Dialer
		errno  syscall.Errno
	}
	var cases []tcase
	if runtime.GOOS == "linux" {
		cases = append(cases, tcase{"abstract", transport.Unix(abstractName(t)), syscall.ECONNREFUSED})
	}
	cases = append(cases, tcase{"path", transport.Unix(missingPath(t)), syscall.ENOENT})

	// A socket file with no listener behind it (a daemon that died).
	stale := missingPath(t)
	l, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	cases = append(cases, tcase{"stale path", transport.Unix(stale), syscall.ECONNREFUSED})

	// A loopback port that was just freed.
	l, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cases = append(cases, tcase{"tcp", transport.TCP(addr), syscall.ECONNREFUSED})

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := tc.dialer.Dial(t.Context())
			if err == nil {
				conn.Close()
				t.Fatal("Dial succeeded")
			}
			if !errors.Is(err, transport.ErrDaemonNotRunning) {
				t.Errorf("err = %v, want ErrDaemonNotRunning", err)
			}
			if !errors.Is(err, tc.errno) {
				t.Errorf("err = %v, want %v reachable", err, tc.errno)
			}
			var opErr *net.OpError
			if !errors.As(err, &opErr) {
				t.Errorf("err = %v, want a *net.OpError inside", err)
			}
			var de *transport.DialError
			if !errors.As(err, &de) {
				t.Fatalf("err = %T, want *transport.DialError", err)
			}
			a := tc.dialer.(addresser)
			if de.Network != a.Network() || de.Address != a.Address() {
				t.Errorf("DialError names %s %s, want %s %s", de.Network, de.Address, a.Network(), a.Address())
			}
			want := "transport: dial " + a.String() + ": no daemon is listening (" + tc.errno.Error() + ")"
			if err.Error() != want {
				t.Errorf("err = %q, want %q", err, want)
			}
		})
	}
}

func TestDialErrorOtherCause(t *testing.T) {
	// A path whose parent is a regular file: ENOTDIR, not "not running".
	p := filepath.Join(t.TempDir(), "kp.sock")
	l, err := net.Listen("unix", p)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	d := transport.Unix(filepath.Join(p, "below"))
	conn, err := d.Dial(t.Context())
	if err == nil {
		conn.Close()
		t.Fatal("Dial succeeded")
	}
	if errors.Is(err, transport.ErrDaemonNotRunning) {
		t.Errorf("err = %v matches ErrDaemonNotRunning", err)
	}
	if !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("err = %v, want ENOTDIR reachable", err)
	}
	want := "transport: dial " + d.(addresser).String() + ": connect: " + syscall.ENOTDIR.Error()
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}

	noCause := &transport.DialError{Network: "unix", Address: "@x"}
	if got := noCause.Error(); got != "transport: dial @x: unknown error" {
		t.Errorf("DialError without a cause = %q", got)
	}
}

func TestPeerCredsNotUnix(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if _, err := transport.PeerCreds(a); !errors.Is(err, transport.ErrPeerCredentialsUnsupported) {
		t.Errorf("PeerCreds(pipe) = %v, want ErrPeerCredentialsUnsupported", err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := echoOnce(l)
	conn, err := transport.TCP(l.Addr().String()).Dial(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cred, err := transport.PeerCreds(conn)
	if !errors.Is(err, transport.ErrPeerCredentialsUnsupported) {
		t.Errorf("PeerCreds(tcp) = %+v, %v; want ErrPeerCredentialsUnsupported", cred, err)
	}
	if !strings.HasPrefix(err.Error(), "transport: peer credentials unsupported") {
		t.Errorf("err = %q", err)
	}
	conn.Close()
	if err := <-done; err != nil {
		t.Fatalf("server: %v", err)
	}
}
