package main

import (
	"bufio"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const timeout = 10 * time.Second

func TestRun(t *testing.T) {
	for _, listen := range []string{filepath.Join(t.TempDir(), "kp.sock"), "ws://127.0.0.1:0"} {
		t.Run(listen, func(t *testing.T) { testRun(t, listen) })
	}
}

// testRun runs mockd listening on listen, and talks to it.
func testRun(t *testing.T, listen string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, outw := io.Pipe()
	var stderr strings.Builder
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-listen", listen, "-generation", "99", "-service", "ping"}, outw, &stderr)
		outw.Close()
		done <- err
	}()

	// Read stdout until the serving line: the daemon listens by then.
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		s := bufio.NewScanner(out)
		for s.Scan() {
			lines <- s.Text()
		}
	}()
	var summary []string
	var addr string
	for line := range lines {
		if strings.HasPrefix(line, "mockd: serving") {
			addr = line[strings.LastIndexByte(line, ' ')+1:]
			break
		}
		summary = append(summary, line)
	}
	if !strings.Contains(strings.Join(summary, "\n"), `ping: endpoint "+ping"`) {
		t.Fatalf("document summary lacks the ping service:\n%s", strings.Join(summary, "\n"))
	}

	d, err := transport.Parse(addr)
	if err != nil {
		t.Fatalf("the serving line's address: %v", err)
	}
	if strings.HasPrefix(listen, "ws:") {
		if _, ok := d.(transport.WebSocketDialer); !ok {
			t.Fatalf("mockd serves at %s, not a WebSocket", addr)
		}
	}
	conn, err := d.Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout)) // a failure timeout only
	r := wire.NewReader(conn, 0)
	next := func() *wire.Response {
		t.Helper()
		body, err := r.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		var resp wire.Response
		if err := wire.DecodeResponse(body, &resp); err != nil {
			t.Fatal(err)
		}
		return &resp
	}
	if s := next().ConnectionStatus; s == nil || s.SphinxGeometry == nil {
		t.Fatal("want a v0.0.99 status event")
	}
	doc, err := pki.Parse(next().NewPKIDocument.Payload)
	if err != nil {
		t.Fatal(err)
	}
	token := wire.NewToken()
	conn.Write((&wire.Request99{SessionToken: &wire.SessionToken{ClientInstanceToken: &token}}).AppendFrame(nil))
	if next().SessionTokenReply == nil {
		t.Fatal("want session_token_reply")
	}
	node := doc.ServiceNodes[0]
	queue, _ := node.Endpoint("ping")
	hash := node.IdentityHash()
	surb := wire.NewSURBID()
	conn.Write((&wire.Request99{SendMessage: &wire.SendMessage{WithSURB: true, SURBID: &surb,
		DestinationIDHash: hash[:], RecipientQueueID: []byte(queue), Payload: []byte("secret")}}).AppendFrame(nil))
	if next().MessageSent == nil {
		t.Fatal("want message_sent_event")
	}
	if m := next().MessageReply; m == nil || !strings.HasPrefix(string(m.Payload), "secret") {
		t.Fatal("want the ping reply")
	}

	cancel()
	if next().Shutdown == nil {
		t.Fatal("want shutdown_event")
	}
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	for range lines { // drain
	}
	logs := stderr.String()
	if !strings.Contains(logs, "kind=send_message") || !strings.Contains(logs, "kind=session_token") {
		t.Fatalf("request kinds not logged:\n%s", logs)
	}
	if strings.Contains(logs, "secret") {
		t.Fatal("a payload was logged")
	}
}

func TestRunBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-generation", "50"},
		{"-listen", "nonsense"},
		{"-listen", "wss://127.0.0.1:0"},
		{"-listen", "http://127.0.0.1:0"},
		{"-loss", "2", "-listen", "tcp:127.0.0.1:0"},
		{"-pacing", "-1s", "-listen", "tcp:127.0.0.1:0"},
		{"extra"},
	} {
		var stderr strings.Builder
		if err := run(context.Background(), args, io.Discard, &stderr); err == nil {
			t.Errorf("run %q: no error", args)
		}
	}
}
