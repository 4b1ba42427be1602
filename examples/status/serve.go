package main

import (
	"bytes"
	"context"
	"errors"
	"expvar"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/katzenthin/katzenthin/client"
)

// changesTimeout bounds a /changes request: the browser asks again, so
// no proxy in between times it out first.
const changesTimeout = 50 * time.Second

// server serves the live status page, its change feed and /debug/vars.
type server struct {
	c        *client.Client
	address  string // the daemon's, as the page names it
	interval time.Duration
	live     *live
	hist     *history
	metrics  *metrics
	mux      *http.ServeMux
	now      func() time.Time // the clock of the page (tests fix it)
	changes  time.Duration    // how long /changes waits
}

// newServer serves c's state; m is the tracer c was dialled with.
func newServer(c *client.Client, address string, interval time.Duration, m *metrics) *server {
	s := &server{
		c: c, address: address, interval: interval,
		live: newLive(), hist: newHistory(chartWindow, interval), metrics: m,
		mux: http.NewServeMux(), now: time.Now, changes: changesTimeout,
	}
	s.mux.HandleFunc("GET /{$}", s.page)
	s.mux.HandleFunc("GET /changes", s.waitChanges)
	s.mux.HandleFunc("GET /debug/vars", s.vars)
	return s
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// start runs the event watcher and the pinger until ctx ends; the
// function it returns waits for both.
func (s *server) start(ctx context.Context) (wait func()) {
	events, cancel := s.c.Subscribe()
	p := &pinger{c: s.c, interval: s.interval, hist: s.hist, done: s.live.bump}
	var wg sync.WaitGroup
	wg.Go(func() { s.live.watch(events) })
	wg.Go(func() {
		p.run(ctx)
		cancel() // ends the watcher
	})
	return wg.Wait
}

// page renders the status page, with the live parts, as of now.
func (s *server) page(w http.ResponseWriter, r *http.Request) {
	snap := s.live.snapshot()
	if snap.doc == nil { // before the subscription's first events: the client has one
		snap.doc = s.c.Document()
	}
	now := s.now()
	p := newPage(snap.doc, daemonInfo{
		Generation: s.c.Daemon().Generation.String(),
		Address:    s.address,
		Connected:  snap.connected,
		MaxPayload: s.c.Daemon().MaxPayload,
	}, now)
	samples := s.hist.samples()
	p.Live = &liveView{
		Version:  snap.version,
		Refresh:  max(int(s.interval.Seconds()), 5),
		Interval: s.interval.String(),
		Since:    since(snap.since),
		Chart:    newChart(samples, now),
		Ping:     summarize(samples, now),
		Events:   snap.events,
	}
	var buf bytes.Buffer
	if err := p.write(&buf); err != nil {
		http.Error(w, "rendering the page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// waitChanges answers once the state is newer than ?since=VERSION: 200
// with the new version, or 204 when nothing changed within s.changes.
// The page's script reloads on a 200.
func (s *server) waitChanges(w http.ResponseWriter, r *http.Request) {
	since, err := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64)
	if err != nil {
		http.Error(w, "since: want the page's version", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.changes)
	defer cancel()
	w.Header().Set("Cache-Control", "no-store")
	if !s.live.wait(ctx, since) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	fmt.Fprintln(w, s.live.snapshot().version)
}

// vars serves expvar's variables, as expvar.Handler does, with the
// tracer's figures under "katzenthin".
func (s *server) vars(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	fmt.Fprint(w, "{\n")
	expvar.Do(func(kv expvar.KeyValue) {
		fmt.Fprintf(w, "%s: %s,\n", strconv.Quote(kv.Key), kv.Value)
	})
	fmt.Fprintf(w, "%s: %s\n}\n", strconv.Quote("katzenthin"), s.metrics.root.String())
}

// liveView is what the served page shows beyond the one-shot page.
type liveView struct {
	Version  uint64
	Refresh  int // seconds, for the script-less fallback
	Interval string
	Since    string
	Chart    chart
	Ping     pingSummary
	Events   []eventLine
}

// pingSummary sums up the pings of the chart's window.
type pingSummary struct {
	Sent, Received, Lost int
	LossPercent          string
	Min, Avg, Max        string
}

func summarize(samples []sample, now time.Time) pingSummary {
	var p pingSummary
	var lo, hi, total time.Duration
	for _, s := range samples {
		if s.At.Before(now.Add(-chartWindow)) {
			continue
		}
		p.Sent++
		if s.lost() {
			p.Lost++
			continue
		}
		if p.Received == 0 || s.RTT < lo {
			lo = s.RTT
		}
		hi = max(hi, s.RTT)
		total += s.RTT
		p.Received++
	}
	if p.Sent > 0 {
		p.LossPercent = strconv.FormatFloat(100*float64(p.Lost)/float64(p.Sent), 'f', 1, 64)
	}
	if p.Received > 0 {
		p.Min, p.Avg, p.Max = roundRTT(lo).String(), roundRTT(total/time.Duration(p.Received)).String(), roundRTT(hi).String()
	}
	return p
}

// serve serves the live page on addr until ctx ends, then shuts down.
func serve(ctx context.Context, addr string, s *server, stderr io.Writer) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(ctx)
	wait := s.start(ctx)
	defer func() { stop(); wait() }()
	// Requests live in ctx, so that stopping ends the /changes waits,
	// which Shutdown would otherwise wait for.
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	fmt.Fprintf(stderr, "status: serving http://%s/ (pinging echo every %s)\n", l.Addr(), s.interval)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(l) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = hs.Shutdown(shutdown) // ends the /changes waits through their contexts
	if e := <-served; !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return err
}

// since formats the time of the latest connection change, "" before any.
func since(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("15:04:05 UTC")
}
