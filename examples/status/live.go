package main

import (
	"context"
	"sync"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/pki"
)

// maxEventLines is how many recent events the page lists.
const maxEventLines = 12

// eventLine is an event as the page lists it.
type eventLine struct {
	At   string
	Text string // the event's String: short, no payloads
}

// live is the state the served page shows, kept current from the
// client's events, and a version that changes with it, so that browsers
// waiting on /changes reload at once. Safe for concurrent use.
type live struct {
	mu        sync.Mutex
	version   uint64
	changed   chan struct{} // closed and replaced on every change
	connected bool
	since     time.Time // of the latest connection change
	doc       *pki.Document
	events    []eventLine // newest first
}

func newLive() *live { return &live{changed: make(chan struct{})} }

// watch applies the events of a subscription, which starts with the
// current status and document, until the channel closes.
func (l *live) watch(events <-chan client.Event) {
	for ev := range events {
		l.apply(ev, time.Now())
	}
}

// apply takes one event into the state. Sends and replies (the pings
// among them) change nothing the page shows here.
func (l *live) apply(ev client.Event, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch ev := ev.(type) {
	case *client.ConnectionStatus:
		l.setConnectedLocked(ev.Connected, now)
	case *client.ConnectionLost:
		l.setConnectedLocked(false, now)
	case *client.NewDocument:
		l.doc = ev.Document
	case *client.Reconnected, *client.Shutdown, *client.DocumentError, *client.EventsDropped:
	default:
		return
	}
	l.events = append([]eventLine{{At: now.UTC().Format("15:04:05"), Text: ev.String()}}, l.events...)
	l.events = l.events[:min(len(l.events), maxEventLines)]
	l.bumpLocked()
}

func (l *live) setConnectedLocked(connected bool, now time.Time) {
	if connected != l.connected || l.since.IsZero() {
		l.connected, l.since = connected, now
	}
}

// bump marks a change that is not an event (a new ping result).
func (l *live) bump() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bumpLocked()
}

func (l *live) bumpLocked() {
	l.version++
	close(l.changed)
	l.changed = make(chan struct{})
}

// snapshot is the state at one version.
type snapshot struct {
	version   uint64
	connected bool
	since     time.Time
	doc       *pki.Document
	events    []eventLine
}

func (l *live) snapshot() snapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	return snapshot{l.version, l.connected, l.since, l.doc, l.events}
}

// wait blocks until the version is past since, or ctx ends; it reports
// whether the state changed.
func (l *live) wait(ctx context.Context, since uint64) bool {
	l.mu.Lock()
	if l.version > since {
		l.mu.Unlock()
		return true
	}
	ch := l.changed
	l.mu.Unlock()
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}
