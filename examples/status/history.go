package main

import (
	"sync"
	"time"
)

// sample is one echo ping: its round-trip time, or why it failed.
type sample struct {
	At      time.Time
	RTT     time.Duration // 0 when it failed
	Outcome string        // client.Outcome of its error: "ok", "deadline", ...
}

// lost reports whether the ping got no reply.
func (s sample) lost() bool { return s.Outcome != "ok" }

// history keeps the latest pings in a ring of fixed size, so a page left
// open for a month uses the memory of an hour. Safe for concurrent use.
type history struct {
	mu   sync.Mutex
	buf  []sample
	next int  // where the next sample goes
	full bool // buf has wrapped
}

// maxHistory bounds the ring whatever -ping says.
const maxHistory = 10_000

// newHistory keeps enough samples for window at one per interval.
func newHistory(window, interval time.Duration) *history {
	n := 2
	if interval > 0 {
		n = int(window/interval) + 2
	}
	return &history{buf: make([]sample, min(max(n, 2), maxHistory))}
}

func (h *history) add(s sample) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.buf[h.next] = s
	h.next = (h.next + 1) % len(h.buf)
	if h.next == 0 {
		h.full = true
	}
}

// samples returns the kept samples, oldest first, as a copy.
func (h *history) samples() []sample {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.full {
		return append([]sample(nil), h.buf[:h.next]...)
	}
	return append(append([]sample(nil), h.buf[h.next:]...), h.buf[:h.next]...)
}
