package mock_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

func TestListenWebSocket(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e, addr := listenEnv(t, "ws://127.0.0.1:0", gen)
		if !strings.HasPrefix(addr, "ws://127.0.0.1:") || strings.HasSuffix(addr, ":0") {
			t.Fatalf("Listen(ws://127.0.0.1:0) = %q, want the port it picked", addr)
		}
		d, err := transport.Parse(addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := d.(transport.WebSocketDialer); !ok {
			t.Errorf("Parse(%q) = %T, want a WebSocketDialer", addr, d)
		}
		// The dial's context ends as soon as it has dialed (env.dial):
		// the connection must outlive it.
		echoOnce(e)
		echoOnce(e)
	})
}

// TestListenWebSocketLargeFrame sends a frame far over a WebSocket
// message's default 32 KiB read limit, both ways.
func TestListenWebSocketLargeFrame(t *testing.T) {
	const size = 1 << 20
	d, _, err := mock.Listen("ws://127.0.0.1:0", mock.WithGeneration(wire.Generation47), mock.WithMaxPayload(size), mock.WithReplySize(size))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	e := &env{t: t, d: d, gen: wire.Generation47}
	c := e.connect(nil)
	payload := []byte(strings.Repeat("k", size-100))
	surb := c.sendSURB(e.dest("echo"), payload)
	c.expectSent(surb)
	c.expectReply(surb, payload, size)
}

func TestListenWebSocketRefusesPlainHTTP(t *testing.T) {
	d, addr, err := mock.Listen("ws://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	req, err := http.NewRequestWithContext(t.Context(), "GET", "http"+strings.TrimPrefix(addr, "ws"), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUpgradeRequired {
		t.Errorf("a plain GET got %s, want 426 Upgrade Required", resp.Status)
	}
	if got := d.Stats().ConnectionsAccepted; got != 0 {
		t.Errorf("Stats().ConnectionsAccepted = %d after a plain GET, want 0", got)
	}
}

func TestListenWebSocketErrors(t *testing.T) {
	if _, _, err := mock.Listen("wss://127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "listen on ws://") {
		t.Errorf("Listen(wss://...) = %v, want an error pointing to ws://", err)
	}
	if _, _, err := mock.Listen("ws://"); !errors.Is(err, transport.ErrInvalidAddress) {
		t.Errorf("Listen(ws://) = %v, want ErrInvalidAddress", err)
	}
	d, addr, err := mock.Listen("ws://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, _, err := mock.Listen(addr); err == nil {
		t.Errorf("a second Listen(%q) succeeded", addr)
	}
}

// TestListenWebSocketCloseEndsClients checks that closing the daemon
// ends a client's connection (the shutdown event, then EOF).
func TestListenWebSocketCloseEndsClients(t *testing.T) {
	d, _, err := mock.Listen("ws://127.0.0.1:0", mock.WithGeneration(wire.Generation99))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, d: d, gen: wire.Generation99}
	c := e.connect(nil)
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for {
		if _, err := c.r.ReadFrame(); err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Logf("read after Close: %v", err)
			}
			break
		}
	}
	// The port is closed: nothing listens there any more.
	if conn, err := d.Dialer().Dial(t.Context()); !errors.Is(err, transport.ErrDaemonNotRunning) {
		if conn != nil {
			conn.Close()
		}
		t.Errorf("Dial after Close = %v, want ErrDaemonNotRunning", err)
	}
}
