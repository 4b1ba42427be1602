package transport_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/katzenthin/katzenthin/transport"
)

// wsURL turns an httptest server's http:// URL into its ws:// one.
func wsURL(s *httptest.Server) string { return "ws" + strings.TrimPrefix(s.URL, "http") }

// wsServer starts a WebSocket server whose handler gets each connection;
// the server and every connection end with the test.
func wsServer(t *testing.T, handle func(ctx context.Context, ws *websocket.Conn)) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		handle(r.Context(), ws)
	}))
	t.Cleanup(s.Close)
	return s
}

// lengthPrefix is the start of a thin-client frame of body: its length
// as a big-endian uint32.
func lengthPrefix(body []byte) []byte {
	return binary.BigEndian.AppendUint32(nil, uint32(len(body)))
}

func TestWebSocketByteStream(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 8<<10) // 128 KiB: over the 32 KiB default message limit
	s := wsServer(t, func(ctx context.Context, ws *websocket.Conn) {
		// One frame split over two messages, then two frames in one
		// message: the client must read them as one byte stream.
		ws.Write(ctx, websocket.MessageBinary, lengthPrefix(big))
		ws.Write(ctx, websocket.MessageBinary, big)
		two := append(append(lengthPrefix([]byte("a")), 'a'), append(lengthPrefix([]byte("bc")), "bc"...)...)
		ws.Write(ctx, websocket.MessageBinary, two)
		// Then echo what the client writes, message by message.
		ws.SetReadLimit(-1)
		for {
			typ, p, err := ws.Read(ctx)
			if err != nil {
				return
			}
			if typ != websocket.MessageBinary {
				ws.Close(websocket.StatusUnsupportedData, "binary only")
				return
			}
			ws.Write(ctx, websocket.MessageBinary, p)
		}
	})
	ctx, cancel := context.WithCancel(t.Context())
	conn, err := transport.WebSocket(wsURL(s)).Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cancel() // the connection must outlive its dial's context

	for _, want := range [][]byte{big, []byte("a"), []byte("bc")} {
		var n [4]byte
		if _, err := io.ReadFull(conn, n[:]); err != nil {
			t.Fatalf("reading a length: %v", err)
		}
		got := make([]byte, binary.BigEndian.Uint32(n[:]))
		if _, err := io.ReadFull(conn, got); err != nil {
			t.Fatalf("reading a body: %v", err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("frame of %d bytes, want %d", len(got), len(want))
		}
	}
	msg := append(lengthPrefix(big), big...)
	if _, err := conn.Write(msg); err != nil {
		t.Fatal(err)
	}
	echo := make([]byte, len(msg))
	if _, err := io.ReadFull(conn, echo); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(echo, msg) {
		t.Error("the echo differs from what was written")
	}
	if got := conn.RemoteAddr().String(); got != wsURL(s) {
		t.Errorf("RemoteAddr = %q, want the URL", got)
	}
	if err := conn.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := conn.Close(); err == nil {
		t.Error("a second Close returned nil")
	}
}

func TestWebSocketReadDeadline(t *testing.T) {
	s := wsServer(t, func(ctx context.Context, ws *websocket.Conn) {
		ws.Read(ctx) // says nothing; returns when the client goes
	})
	conn, err := transport.WebSocket(wsURL(s)).Dial(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	_, err = conn.Read(make([]byte, 1))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read = %v, want os.ErrDeadlineExceeded", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("Read error %v is not a net.Error timeout", err)
	}
}

func TestWebSocketNotAnUpgrade(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		status  string
	}{
		{"refused", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "go away", http.StatusForbidden)
		}, "403 Forbidden"},
		{"plain web server", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<html>hello</html>")
		}, "200 OK"},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}, "302 Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := httptest.NewServer(tt.handler)
			defer s.Close()
			d := transport.WebSocket(wsURL(s))
			conn, err := d.Dial(t.Context())
			if err == nil {
				conn.Close()
				t.Fatal("Dial succeeded")
			}
			if !errors.Is(err, transport.ErrNotWebSocket) {
				t.Errorf("err = %v, want ErrNotWebSocket", err)
			}
			var de *transport.DialError
			if !errors.As(err, &de) || de.Network != "ws" || de.Address != wsURL(s) {
				t.Errorf("err = %#v, want a *DialError for %s", err, wsURL(s))
			}
			want := "transport: dial " + wsURL(s) + ": the server answered HTTP " + tt.status + " instead of a WebSocket upgrade"
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("err = %q\nwant prefix %q", err, want)
			}
		})
	}
}

func TestWebSocketNotRunning(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = transport.WebSocket("ws://" + addr).Dial(t.Context())
	if !errors.Is(err, transport.ErrDaemonNotRunning) {
		t.Fatalf("err = %v, want ErrDaemonNotRunning", err)
	}
	if want := "transport: dial ws://" + addr + ": no daemon is listening (connection refused)"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

// TestWebSocketDialHonoursContext dials a server that accepts the TCP
// connection and never answers the handshake: Dial must end with its
// context.
func TestWebSocketDialHonoursContext(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	conn, err := transport.WebSocket("ws://" + l.Addr().String()).Dial(ctx)
	if err == nil {
		conn.Close()
		t.Fatal("Dial succeeded")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	if c, ok := <-accepted; ok {
		c.Close()
	}

	// A context already ended: no connection is attempted.
	done, cancelDone := context.WithCancel(t.Context())
	cancelDone()
	if _, err := transport.WebSocket("ws://" + l.Addr().String()).Dial(done); !errors.Is(err, context.Canceled) {
		t.Errorf("Dial(ended ctx) = %v, want context.Canceled", err)
	}
}

// TestWebSocketTLS dials a wss:// server whose certificate the system
// does not trust: the handshake is TLS, and its failure says why.
func TestWebSocketTLS(t *testing.T) {
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	s.StartTLS()
	defer s.Close()
	url := "wss" + strings.TrimPrefix(s.URL, "https")
	_, err := transport.WebSocket(url).Dial(t.Context())
	var unknownAuthority x509.UnknownAuthorityError
	if !errors.As(err, &unknownAuthority) {
		t.Errorf("err = %v, want x509.UnknownAuthorityError", err)
	}
}

func TestNonLoopback(t *testing.T) {
	for _, tt := range []struct {
		addr string
		want bool
	}{
		{"@katzenpost", false},
		{"/run/kp.sock", false},
		{"tcp:127.0.0.1:64331", false},
		{"tcp:127.9.8.7:64331", false},
		{"tcp:localhost:64331", false},
		{"tcp:LOCALHOST:64331", false},
		{"tcp6:[::1]:64331", false},
		{"tcp:[::ffff:127.0.0.1]:64331", false},
		{"tcp::64331", false},
		{"ws://127.0.0.1:64331", false},
		{"ws://localhost:64331/thin", false},
		{"ws://[::1]:64331", false},
		{"tcp:0.0.0.0:64331", true},
		{"tcp:10.0.0.5:64331", true},
		{"tcp:kp.example:64331", true},
		{"tcp:localhost.example:64331", true},
		{"tcp6:[fe80::1%eth0]:64331", true},
		{"ws://192.168.1.2:64331", true},
		{"wss://kp.example", true},
	} {
		d, err := transport.Parse(tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := transport.NonLoopback(d); got != tt.want {
			t.Errorf("NonLoopback(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	if transport.NonLoopback(nil) {
		t.Error("NonLoopback(nil) = true")
	}
}
