package transport_test

import (
	"errors"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/katzenthin/katzenthin/transport"
)

func ourCreds() transport.PeerCredentials {
	return transport.PeerCredentials{UID: os.Getuid(), GID: os.Getgid(), PID: os.Getpid()}
}

func TestPeerCredsSocketpair(t *testing.T) {
	a, b, err := unixPair()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer b.Close()
	for i, conn := range []net.Conn{a, b} {
		if _, ok := conn.(*net.UnixConn); !ok {
			t.Fatalf("end %d is %T, want *net.UnixConn", i, conn)
		}
		got, err := transport.PeerCreds(conn)
		if err != nil {
			t.Fatalf("PeerCreds(end %d): %v", i, err)
		}
		if want := ourCreds(); got != want {
			t.Errorf("PeerCreds(end %d) = %+v, want %+v", i, got, want)
		}
	}
}

func TestPeerCredsDialed(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tc transportCase) {
		if tc.name == "tcp" || tc.name == "ws" {
			t.Skip("no peer credentials over TCP or WebSocket")
		}
		accepted := make(chan net.Conn, 1)
		go func() {
			conn, err := tc.listener.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- conn
		}()
		conn, err := tc.dialer.Dial(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		server, ok := <-accepted
		if !ok {
			t.Fatal("accept failed")
		}
		defer server.Close()

		for side, c := range map[string]net.Conn{"client": conn, "server": server} {
			got, err := transport.PeerCreds(c)
			if err != nil {
				t.Fatalf("PeerCreds(%s): %v", side, err)
			}
			if want := ourCreds(); got != want {
				t.Errorf("PeerCreds(%s) = %+v, want %+v", side, got, want)
			}
		}
	})
}

func TestPeerCredsClosed(t *testing.T) {
	a, b, err := unixPair()
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	a.Close()
	_, err = transport.PeerCreds(a)
	if err == nil {
		t.Fatal("PeerCreds on a closed conn succeeded")
	}
	if errors.Is(err, transport.ErrPeerCredentialsUnsupported) {
		t.Errorf("err = %v matches ErrPeerCredentialsUnsupported", err)
	}
	if !errors.Is(err, net.ErrClosed) {
		t.Errorf("err = %v, want net.ErrClosed", err)
	}
}

// unixPair returns the two ends of a connected Unix stream socket pair.
func unixPair() (net.Conn, net.Conn, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	var conns [2]net.Conn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "socketpair")
		conns[i], err = net.FileConn(f)
		f.Close()
		if err != nil {
			if i == 1 {
				conns[0].Close()
			}
			return nil, nil, err
		}
	}
	return conns[0], conns[1], nil
}

func TestTCPNoDelay(t *testing.T) {
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
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		t.Fatalf("conn is %T, want *net.TCPConn", conn)
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var (
		v    int
		vErr error
	)
	if err := rc.Control(func(fd uintptr) {
		v, vErr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_NODELAY)
	}); err != nil {
		t.Fatal(err)
	}
	if vErr != nil {
		t.Fatal(vErr)
	}
	if v == 0 {
		t.Error("TCP_NODELAY is off")
	}
	conn.Close()
	if err := <-done; err != nil {
		t.Fatalf("server: %v", err)
	}
}
