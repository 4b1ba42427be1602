package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Off a terminal, progress is plain lines: at the first box, then one
// per tenth of the file.
func TestProgressPlain(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, "sent")
	if p.tty {
		t.Fatal("a buffer taken for a terminal")
	}
	p.setTotal(10000)
	for range 20 {
		p.add(500)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 11 || strings.Contains(out.String(), "\r") {
		t.Fatalf("got %d lines, want 11, with no carriage return:\n%s", len(lines), out.String())
	}
	if !regexp.MustCompile(`^sent 500/10000 bytes \(5%\), 1 box, [\d.]+ boxes/s, \d+s left$`).MatchString(lines[0]) {
		t.Errorf("first line %q", lines[0])
	}
	if !regexp.MustCompile(`^sent 1000/10000 bytes \(10%\), 2 boxes, [\d.]+ boxes/s, \d+s left$`).MatchString(lines[1]) {
		t.Errorf("second line %q", lines[1])
	}
	if !regexp.MustCompile(`^sent 10000/10000 bytes \(100%\), 20 boxes, [\d.]+ boxes/s$`).MatchString(lines[10]) {
		t.Errorf("last line %q", lines[10])
	}

	var final bytes.Buffer
	p.done(&final, "no-copy", 10000, 20)
	if !regexp.MustCompile(`^sent 10000 bytes in 20 boxes \(no-copy\) in [\d.]+ s: [\d.]+ boxes/s, [\d.]+ KiB/s\n$`).MatchString(final.String()) {
		t.Errorf("throughput line %q", final.String())
	}
}

// On a terminal, a bar redrawn in place; notes and the end move past it.
func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, "received")
	p.tty = true
	p.setTotal(1000)
	p.add(1000) // the last box is always drawn
	p.note("done")
	want := regexp.MustCompile(`^\r\[#{24}\] received 1000/1000 bytes \(100%\), 1 box, [\d.]+ boxes/s {3}\ndone\n$`)
	if !want.MatchString(out.String()) {
		t.Errorf("got %q", out.String())
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "not-a-terminal")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) || isTerminal(&bytes.Buffer{}) {
		t.Error("a file or a buffer taken for a terminal")
	}
	if null, err := os.Open(os.DevNull); err == nil { // a character device, as a terminal is
		defer null.Close()
		if !isTerminal(null) {
			t.Error("a character device not taken for a terminal")
		}
	}
}

// signalling is a writer that says when something is written.
type signalling struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{}
}

func (s *signalling) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case s.written <- struct{}{}:
	default:
	}
	return s.buf.Write(b)
}

// While a step shows no progress of its own, a line says how long it
// has waited; after stop, nothing more.
func TestProgressWaiting(t *testing.T) {
	for _, tty := range []bool{false, true} {
		out := &signalling{written: make(chan struct{}, 1)}
		p := newProgress(out, "sent")
		p.tty, p.tick = tty, time.Millisecond
		stop := p.waiting("copy command")
		<-out.written
		<-out.written // at least two ticks
		stop()
		stop()
		out.mu.Lock()
		got := out.buf.String()
		out.mu.Unlock()
		want := regexp.MustCompile(`^(copy command: still waiting after \d+s\n){2,}$`)
		if tty {
			want = regexp.MustCompile(`^(\rcopy command: \d+s ){2,}\n$`)
		}
		if !want.MatchString(got) {
			t.Errorf("tty %v: got %q", tty, got)
		}
	}
}
