package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// The client's lifecycle over a real WebSocket on the loopback, against
// the mock listening as kpclientd v0.0.99 does with [Listen.Ws].

// wsTimeout bounds each test's calls: a failure, never a pacing.
const wsTimeout = 20 * time.Second

// wsMock starts a mock daemon of gen on a WebSocket and closes it at the
// end of the test.
func wsMock(t *testing.T, gen wire.Generation, opts ...mock.Option) *mock.Daemon {
	t.Helper()
	d, addr, err := mock.Listen("ws://127.0.0.1:0", append([]mock.Option{mock.WithGeneration(gen)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("mock Close: %v", err)
		}
	})
	if !strings.HasPrefix(addr, "ws://127.0.0.1:") {
		t.Fatalf("mock listens at %s, not a WebSocket", addr)
	}
	return d
}

// wsDial dials the daemon at addr, through transport.Parse as the
// examples' -daemon flag does, with fast reconnection.
func wsDial(t *testing.T, addr string, opts ...client.Option) *client.Client {
	t.Helper()
	dl, err := transport.Parse(addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := dl.(transport.WebSocketDialer); !ok {
		t.Fatalf("Parse(%s) = %T, want a WebSocketDialer", addr, dl)
	}
	ctx, cancel := context.WithTimeout(t.Context(), wsTimeout)
	defer cancel()
	all := append([]client.Option{
		client.WithDialer(dl),
		client.WithReconnect(client.ReconnectPolicy{MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}),
	}, opts...)
	c, err := client.Dial(ctx, all...)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func wsEchoSend(t *testing.T, c *client.Client, p []byte) {
	t.Helper()
	svc, err := c.Service("echo")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), wsTimeout)
	defer cancel()
	r, err := c.Send(ctx, svc.Destination(), p)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if !bytes.HasPrefix(r.Payload, p) {
		t.Fatalf("reply %q..., want the echo of %q", r.Payload[:min(len(r.Payload), 16)], p[:min(len(p), 16)])
	}
}

func forEachGenerationWS(t *testing.T, f func(t *testing.T, gen wire.Generation)) {
	for _, gen := range []wire.Generation{wire.Generation47, wire.Generation99} {
		t.Run(gen.String(), func(t *testing.T) { f(t, gen) })
	}
}

func TestWebSocketSend(t *testing.T) {
	forEachGenerationWS(t, func(t *testing.T, gen wire.Generation) {
		d := wsMock(t, gen)
		c := wsDial(t, d.Addr())
		if got := c.Daemon().Generation; got != gen {
			t.Fatalf("generation %v, want %v", got, gen)
		}
		wsEchoSend(t, c, []byte("over a websocket"))
		// A payload as large as the daemon allows, in a frame that the
		// WebSocket library would refuse as one message by default.
		big := bytes.Repeat([]byte{0xA5}, c.Daemon().MaxPayload)
		wsEchoSend(t, c, big)
	})
}

// TestWebSocketDropInFlight drops the connection with calls in flight
// that saw their sent events. On v0.0.47 they end with ErrConnectionLost
// (the daemon dropped their SURBs); v0.0.99 resumes the session and each
// gets its reply. Both reconnect over the WebSocket and work on.
func TestWebSocketDropInFlight(t *testing.T) {
	forEachGenerationWS(t, func(t *testing.T, gen wire.Generation) {
		d := wsMock(t, gen)
		c := wsDial(t, d.Addr(), client.WithSubscriberBuffer(1024))
		svc, err := c.Service("echo")
		if err != nil {
			t.Fatal(err)
		}
		events, stop := c.Subscribe()
		defer stop()
		d.HoldReplies()

		const calls = 50
		ctx, cancel := context.WithTimeout(t.Context(), wsTimeout)
		defer cancel()
		var wg sync.WaitGroup
		errs := make([]error, calls)
		for i := range calls {
			wg.Go(func() {
				p := fmt.Appendf(nil, "call %d", i)
				r, err := c.Send(ctx, svc.Destination(), p)
				if err == nil && !bytes.HasPrefix(r.Payload, p) {
					err = fmt.Errorf("reply %q is not the echo", r.Payload[:len(p)])
				}
				errs[i] = err
			})
		}
		var reconnected *client.Reconnected
		for sent := 0; reconnected == nil; {
			select {
			case ev := <-events:
				switch ev := ev.(type) {
				case *client.MessageSent:
					if sent++; sent == calls {
						d.DropConnections() // every call is in the daemon's hands
					}
				case *client.Reconnected:
					reconnected = ev
				}
			case <-ctx.Done():
				t.Fatalf("waiting for the sent events and the reconnection: %v", ctx.Err())
			}
		}
		d.ReleaseReplies()
		wg.Wait()

		if want := gen == wire.Generation99; reconnected.Resumed != want || c.Daemon().Resumed != want {
			t.Errorf("Reconnected.Resumed = %v, Daemon().Resumed = %v; want %v", reconnected.Resumed, c.Daemon().Resumed, want)
		}
		for i, err := range errs {
			switch {
			case gen == wire.Generation99 && err != nil:
				t.Errorf("call %d after the resumed session: %v", i, err)
			case gen == wire.Generation47 && !errors.Is(err, client.ErrConnectionLost):
				t.Errorf("call %d: %v, want ErrConnectionLost", i, err)
			}
		}
		if p := c.Stats().Pending; p != 0 {
			t.Errorf("%d calls still pending", p)
		}
		wsEchoSend(t, c, []byte("after the drop"))
	})
}

// TestWebSocketResume99: a Send waiting for its reply while the
// WebSocket drops gets the reply that the daemon queued for the session
// and flushed on the resumed connection, before session_token_reply.
func TestWebSocketResume99(t *testing.T) {
	d := wsMock(t, wire.Generation99)
	c := wsDial(t, d.Addr())
	svc, err := c.Service("echo")
	if err != nil {
		t.Fatal(err)
	}
	events, stop := c.Subscribe()
	defer stop()
	d.HoldReplies()
	ctx, cancel := context.WithTimeout(t.Context(), wsTimeout)
	defer cancel()
	type result struct {
		r   client.Reply
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := c.Send(ctx, svc.Destination(), []byte("wait for me"))
		done <- result{r, err}
	}()
	waitEvent[*client.MessageSent](ctx, t, events)
	d.DropConnections()
	// The reply arrives while the application is away: the daemon keeps
	// it for the session.
	d.ReleaseReplies()
	if ev := waitEvent[*client.Reconnected](ctx, t, events); !ev.Resumed {
		t.Fatal("the session was not resumed")
	}
	res := <-done
	if res.err != nil || !bytes.HasPrefix(res.r.Payload, []byte("wait for me")) {
		t.Fatalf("Send = %q, %v; want the echo", res.r.Payload, res.err)
	}
}

// waitEvent returns the next event of type E.
func waitEvent[E client.Event](ctx context.Context, t *testing.T, events <-chan client.Event) E {
	t.Helper()
	for {
		select {
		case ev := <-events:
			if e, ok := ev.(E); ok {
				return e
			}
		case <-ctx.Done():
			var zero E
			t.Fatalf("waiting for a %T: %v", zero, ctx.Err())
			return zero
		}
	}
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "thinclient.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWithConfigFile(t *testing.T) {
	forEachGenerationWS(t, func(t *testing.T, gen wire.Generation) {
		d := wsMock(t, gen)
		path := writeConfig(t, fmt.Sprintf("[Dial]\n  [Dial.Ws]\n    Address = %q\n", d.Addr()))
		ctx, cancel := context.WithTimeout(t.Context(), wsTimeout)
		defer cancel()
		c, err := client.Dial(ctx, client.WithConfigFile(path))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		wsEchoSend(t, c, []byte("configured"))
	})
}

func TestWithConfigFileErrors(t *testing.T) {
	bad := writeConfig(t, "[Dial.Unix]\nAdress = \"@katzenpost\"\n")
	missing := filepath.Join(t.TempDir(), "missing.toml")
	for _, tt := range []struct {
		path string
		want string
		is   error
	}{
		{bad, "transport: " + bad + `: unknown key "Dial.Unix.Adress"`, transport.ErrConfig},
		{missing, "transport: " + missing + ": open " + missing + ": no such file or directory", fs.ErrNotExist},
	} {
		c, err := client.Dial(t.Context(), client.WithConfigFile(tt.path))
		if err == nil {
			c.Close()
			t.Fatalf("Dial(WithConfigFile(%s)) succeeded", tt.path)
		}
		if !errors.Is(err, transport.ErrConfig) || !errors.Is(err, tt.is) || err.Error() != tt.want {
			t.Errorf("Dial error %q\nwant %q, matching ErrConfig and %v", err, tt.want, tt.is)
		}
	}
}

// logCapture is a slog handler's output.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logCapture) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func TestNonLoopbackWarning(t *testing.T) {
	ended, cancel := context.WithCancel(t.Context())
	cancel() // the dial fails at once: only the warning matters here
	for _, tt := range []struct {
		name string
		opt  client.Option
		warn string // the address warned about, "" for none
	}{
		{"tcp", client.WithDialer(transport.TCP("192.0.2.7:64331")), "tcp:192.0.2.7:64331"},
		{"ws", client.WithDialer(transport.WebSocket("ws://kp.example:64331")), "ws://kp.example:64331"},
		{"config file", client.WithConfigFile(writeConfig(t, "[Dial.Tcp]\nAddress = \"0.0.0.0:64331\"\n")), "tcp:0.0.0.0:64331"},
		{"tcp loopback", client.WithDialer(transport.TCP("127.0.0.1:64331")), ""},
		{"ws localhost", client.WithDialer(transport.WebSocket("ws://localhost:64331")), ""},
		{"unix", client.WithDialer(transport.Unix("@katzenthin-nowhere")), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out logCapture
			log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelWarn}))
			if _, err := client.Dial(ended, tt.opt, client.WithLogger(log), client.WithDialRetry()); err == nil {
				t.Fatal("Dial with an ended context succeeded")
			}
			logs := out.String()
			if tt.warn == "" {
				if logs != "" {
					t.Errorf("logged %q, want nothing", logs)
				}
				return
			}
			if n := strings.Count(logs, "level=WARN"); n != 1 {
				t.Errorf("%d warnings, want 1:\n%s", n, logs)
			}
			if !strings.Contains(logs, "address="+tt.warn) || !strings.Contains(logs, "not a loopback address") {
				t.Errorf("logged %q, want a warning naming %s", logs, tt.warn)
			}
		})
	}

	// A reconnecting client warns once, at Dial, not on every reconnect.
	// Linux routes a connection to 0.0.0.0 (not a loopback address) to
	// this machine, where the mock listens on the loopback.
	if runtime.GOOS != "linux" {
		return
	}
	var out logCapture
	d := wsMock(t, wire.Generation99)
	anyAddr := "ws://0.0.0.0:" + d.Addr()[strings.LastIndexByte(d.Addr(), ':')+1:]
	c := wsDial(t, anyAddr, client.WithLogger(slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	events, stop := c.Subscribe()
	defer stop()
	ctx, cancelWait := context.WithTimeout(t.Context(), wsTimeout)
	defer cancelWait()
	for range 2 {
		d.DropConnections()
		waitEvent[*client.Reconnected](ctx, t, events)
	}
	if n := strings.Count(out.String(), "not a loopback address"); n != 1 {
		t.Errorf("%d warnings over a Dial and two reconnections, want 1:\n%s", n, out.String())
	}
}

// TestWebSocketSilentDaemon: a WebSocket server that upgrades and then
// says nothing ends Dial with ErrHandshakeTimeout, as a silent socket
// does.
func TestWebSocketSilentDaemon(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		ws.Read(r.Context()) // until the client goes
	}))
	defer s.Close()
	_, err := client.Dial(t.Context(),
		client.WithDialer(transport.WebSocket("ws"+strings.TrimPrefix(s.URL, "http"))),
		client.WithFirstFrameTimeout(20*time.Millisecond))
	if !errors.Is(err, client.ErrHandshakeTimeout) {
		t.Fatalf("Dial = %v, want ErrHandshakeTimeout", err)
	}
}
