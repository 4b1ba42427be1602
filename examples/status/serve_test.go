package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

// notifying passes every figure to the metrics and says when a
// reconnection has been counted, so that a test can wait for it.
type notifying struct {
	*metrics
	reconnected chan struct{}
}

func (n notifying) Reconnected(info client.ReconnectInfo) {
	n.metrics.Reconnected(info)
	n.reconnected <- struct{}{}
}

// liveEnv is a served page over a client of a mock daemon. The test
// drives the pings itself (ping), not a ticker.
type liveEnv struct {
	t      *testing.T
	d      *mock.Daemon
	c      *client.Client
	s      *server
	ts     *httptest.Server
	recon  chan struct{}
	pinger *pinger
}

func newLiveEnv(t *testing.T, opts ...mock.Option) *liveEnv {
	d := mock.Start(t, opts...)
	m := newMetrics()
	recon := make(chan struct{}, 10)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.WithDialer(d.Dialer()), client.WithTracer(notifying{m, recon}),
		client.WithReconnect(client.ReconnectPolicy{MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(c, d.Addr(), 10*time.Second, m)
	events, unsubscribe := c.Subscribe()
	watched := make(chan struct{})
	go func() { s.live.watch(events); close(watched) }()
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		ts.Close()
		unsubscribe()
		<-watched
		c.Close()
	})
	e := &liveEnv{t: t, d: d, c: c, s: s, ts: ts, recon: recon}
	e.pinger = &pinger{c: c, interval: 10 * time.Second, hist: s.hist, done: s.live.bump}
	e.waitFor(func(s snapshot) bool { return s.doc != nil }) // the subscription's first events are in
	return e
}

// get fetches path and returns the status code and body.
func (e *liveEnv) get(path string) (int, string, http.Header) {
	e.t.Helper()
	resp, err := http.Get(e.ts.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, string(body), resp.Header
}

// page fetches the page and checks what every page must be.
func (e *liveEnv) page() string {
	e.t.Helper()
	code, body, h := e.get("/")
	if code != http.StatusOK || h.Get("Content-Type") != "text/html; charset=utf-8" {
		e.t.Fatalf("GET / = %d %q", code, h.Get("Content-Type"))
	}
	wellFormed(e.t, []byte(body))
	return body
}

// waitFor waits, through the change feed, until the live state satisfies ok.
func (e *liveEnv) waitFor(ok func(snapshot) bool) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.t.Context(), 10*time.Second)
	defer cancel()
	for {
		snap := e.s.live.snapshot()
		if ok(snap) {
			return
		}
		if !e.s.live.wait(ctx, snap.version) {
			e.t.Fatal("the live state never got there")
		}
	}
}

// vars fetches /debug/vars and returns the tracer's figures.
func (e *liveEnv) vars() map[string]json.RawMessage {
	e.t.Helper()
	code, body, h := e.get("/debug/vars")
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		e.t.Fatalf("GET /debug/vars = %d %q", code, h.Get("Content-Type"))
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &all); err != nil {
		e.t.Fatalf("/debug/vars is not JSON: %v", err)
	}
	if _, ok := all["memstats"]; !ok {
		e.t.Error("/debug/vars lacks expvar's own memstats")
	}
	var k map[string]json.RawMessage
	if err := json.Unmarshal(all["katzenthin"], &k); err != nil {
		e.t.Fatalf("/debug/vars katzenthin: %v", err)
	}
	return k
}

func TestServePage(t *testing.T) {
	for _, gen := range []wire.Generation{wire.Generation47, wire.Generation99} {
		t.Run(gen.String(), func(t *testing.T) {
			e := newLiveEnv(t, mock.WithGeneration(gen))
			page := e.page()
			checkLivePage(t, page, e.d.Document())
			for _, want := range []string{
				"Epoch <b>" + strconv.FormatUint(e.d.Document().Epoch, 10) + "</b>",
				"kpclientd " + gen.String(), "<code>" + e.d.Addr() + "</code>",
				`<span class="pill ok">connected to the mixnet</span>`,
				"Echo round trips", "No pings yet", "ConnectionStatus{connected}", "NewDocument{epoch=",
				`<noscript><meta http-equiv="refresh" content="10"></noscript>`,
			} {
				if !strings.Contains(page, want) {
					t.Errorf("the page does not say %q", want)
				}
			}
		})
	}
}

// checkLivePage is checkPage for the served page: the topology diagram
// and the chart, and the script that reloads it, fetching nothing else.
func checkLivePage(t *testing.T, page string, doc *pki.Document) {
	t.Helper()
	nodes := 0
	for range doc.Nodes() {
		nodes++
	}
	if got := strings.Count(page, ` data-node="`); got != nodes {
		t.Errorf("%d node boxes, want %d", got, nodes)
	}
	if got := strings.Count(page, "<svg "); got != 2 {
		t.Errorf("%d svg elements, want the diagram and the chart", got)
	}
	if got := strings.Count(page, "<script"); got != 1 || !strings.Contains(page, `fetch("/changes?since=" + v`) {
		t.Errorf("want the one reload script, got %d", got)
	}
	for _, ref := range []string{"src=", "href=", "<link", "https:"} {
		if strings.Contains(page, ref) {
			t.Errorf("the page refers to something outside: %q", ref)
		}
	}
}

// The chart shows a point per reply and a mark per lost ping, and the
// figures follow.
func TestServeChart(t *testing.T) {
	e := newLiveEnv(t)
	ctx := t.Context()
	e.pinger.once(ctx)
	e.pinger.once(ctx)
	// A ping whose reply is held past its deadline is lost.
	e.d.HoldReplies()
	short := &pinger{c: e.c, interval: 50 * time.Millisecond, hist: e.s.hist, done: e.s.live.bump}
	short.once(ctx)
	e.d.ReleaseReplies() // the late reply is dropped by the client
	e.pinger.once(ctx)

	page := e.page()
	if got := strings.Count(page, `<circle class="pt"`); got != 3 {
		t.Errorf("%d points on the chart, want 3", got)
	}
	if got := strings.Count(page, `<line class="loss"`); got != 1 {
		t.Errorf("%d loss marks on the chart, want 1", got)
	}
	for _, want := range []string{`<polyline class="rtt" points="`, "lost (deadline)", "<b>4</b>sent", "<b>3</b>received", `<span class="bad"><b>1</b>lost (25.0%)</span>`, "round trip min / avg / max"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	if strings.Contains(page, "No pings yet") {
		t.Error("the chart still says there are no pings")
	}

	k := e.vars()
	var calls map[string]int
	if err := json.Unmarshal(k["calls"], &calls); err != nil {
		t.Fatal(err)
	}
	if calls["Send.ok"] != 3 || calls["Send.deadline"] != 1 {
		t.Errorf("calls %v, want 3 Send.ok and 1 Send.deadline", calls)
	}
}

// A new document and a connection change show up, and the change feed
// tells a waiting browser at once.
func TestServeChanges(t *testing.T) {
	e := newLiveEnv(t)
	v := e.s.live.snapshot().version
	code, body, _ := e.get("/changes?since=" + strconv.FormatUint(v-1, 10))
	if code != http.StatusOK || strings.TrimSpace(body) != strconv.FormatUint(v, 10) {
		t.Errorf("/changes for an old version = %d %q, want 200 and %d", code, body, v)
	}
	e.s.changes = 20 * time.Millisecond
	if code, _, _ := e.get("/changes?since=" + strconv.FormatUint(v, 10)); code != http.StatusNoContent {
		t.Errorf("/changes with nothing new = %d, want 204", code)
	}
	if code, _, _ := e.get("/changes"); code != http.StatusBadRequest {
		t.Errorf("/changes without since = %d, want 400", code)
	}
	e.s.changes = changesTimeout

	// A browser waiting on /changes hears of the new document.
	waited := make(chan int, 1)
	go func() {
		resp, err := http.Get(e.ts.URL + "/changes?since=" + strconv.FormatUint(v, 10))
		if err != nil {
			waited <- 0
			return
		}
		resp.Body.Close()
		waited <- resp.StatusCode
	}()
	next := *e.d.Document()
	next.Epoch += 3
	e.d.PublishDocument(&next)
	if code := <-waited; code != http.StatusOK {
		t.Errorf("a waiting /changes = %d, want 200", code)
	}
	e.waitFor(func(s snapshot) bool { return s.doc.Epoch == next.Epoch })
	page := e.page()
	if !strings.Contains(page, "Epoch <b>"+strconv.FormatUint(next.Epoch, 10)+"</b>") {
		t.Error("the page does not show the new document's epoch")
	}
	if !strings.Contains(page, "NewDocument{epoch="+strconv.FormatUint(next.Epoch, 10)) {
		t.Error("the events do not list the new document")
	}

	e.d.SetConnected(false)
	e.waitFor(func(s snapshot) bool { return !s.connected })
	page = e.page()
	if !strings.Contains(page, `<span class="pill bad">not connected to the mixnet</span>`) || !strings.Contains(page, "ConnectionStatus{disconnected") {
		t.Errorf("the page does not show the daemon offline: %s", page[strings.Index(page, "<header>"):strings.Index(page, "<header>")+600])
	}

	// A crash: lost, then reconnected; the tracer's figures count both.
	e.d.DropConnections()
	<-e.recon
	e.waitFor(func(s snapshot) bool { return len(s.events) > 0 && strings.HasPrefix(s.events[0].Text, "Reconnected{") })
	k := e.vars()
	if string(k["connection_lost"]) != "1" || string(k["reconnections"]) != "1" {
		t.Errorf("connection_lost %s, reconnections %s; want 1 and 1", k["connection_lost"], k["reconnections"])
	}
	if page := e.page(); !strings.Contains(page, "ConnectionLost{") || !strings.Contains(page, "Reconnected{attempt=") {
		t.Error("the events do not list the loss and the reconnection")
	}
}

func TestServeErrors(t *testing.T) {
	e := newLiveEnv(t)
	if code, _, _ := e.get("/nope"); code != http.StatusNotFound {
		t.Errorf("GET /nope = %d, want 404", code)
	}
	resp, err := http.Post(e.ts.URL+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", resp.StatusCode)
	}
}

// status -mock -serve serves until it is stopped.
func TestRunServe(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	r, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-mock", "-serve", "127.0.0.1:0", "-ping", "1h"}, io.Discard, w)
		w.Close()
	}()
	lines := bufio.NewScanner(r)
	var url string
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "status: serving "); ok {
			url, _, _ = strings.Cut(rest, " ")
			break
		}
	}
	go io.Copy(io.Discard, r)
	if url == "" {
		t.Fatal("no serving line")
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Echo round trips") {
		t.Fatalf("GET %s = %d", url, resp.StatusCode)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
}

func TestRunServeErrors(t *testing.T) {
	if code, _, stderr := status(t, "-mock", "-serve", "127.0.0.1:0", "-ping", "0s"); code == 0 || !strings.Contains(stderr, "-ping 0s") {
		t.Errorf("-ping 0s: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := status(t, "-mock", "-serve", "256.0.0.1:1"); code == 0 || !strings.Contains(stderr, "256.0.0.1") {
		t.Errorf("a bad -serve address: exit %d, stderr %q", code, stderr)
	}
}
