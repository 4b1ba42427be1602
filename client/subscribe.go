package client

import (
	"sync"
	"sync/atomic"
)

// subscriber is one Subscribe call's channel and its drop count.
type subscriber struct {
	ch      chan Event
	mu      sync.Mutex // orders the drop marker before the next event
	dropped uint64
}

// subscribers fans events out without ever blocking the publisher: a
// subscriber whose channel is full loses the event, and is told how many
// it lost (EventsDropped) before the next one that fits. Safe for
// concurrent use.
type subscribers struct {
	mu      sync.RWMutex
	subs    map[*subscriber]struct{}
	closed  bool
	count   atomic.Int32  // len(subs), read without the lock on the hot path
	dropped atomic.Uint64 // events dropped over all subscribers
}

// add registers a subscriber with a buffer of n events, which starts
// with the events current returns (the state so far). On a closed set it
// returns a closed channel.
//
// current runs under the write lock, which publish's read lock excludes:
// a state change stored before it is in its events, and one stored after
// it is published to the new subscriber too. So a subscriber never misses
// a change and never sees the state go back; at worst it sees the newest
// state twice.
func (s *subscribers) add(n int, current func() []Event) (<-chan Event, func()) {
	sub := &subscriber{ch: make(chan Event, n)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		close(sub.ch)
		return sub.ch, func() {}
	}
	if s.subs == nil {
		s.subs = make(map[*subscriber]struct{})
	}
	s.subs[sub] = struct{}{}
	s.count.Add(1)
	if current != nil {
		for _, ev := range current() {
			select {
			case sub.ch <- ev:
			default:
				sub.dropped++
				s.dropped.Add(1)
			}
		}
	}
	var once sync.Once
	return sub.ch, func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if _, ok := s.subs[sub]; ok {
				delete(s.subs, sub)
				s.count.Add(-1)
				close(sub.ch)
			}
		})
	}
}

// active reports whether anyone listens, so that the publisher can skip
// building events nobody reads.
func (s *subscribers) active() bool { return s.count.Load() > 0 }

// publish offers ev to every subscriber without blocking.
func (s *subscribers) publish(ev Event) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for sub := range s.subs {
		sub.mu.Lock()
		if sub.dropped > 0 {
			select {
			case sub.ch <- &EventsDropped{Count: sub.dropped}:
				sub.dropped = 0
			default:
			}
		}
		if sub.dropped > 0 {
			sub.dropped++
			s.dropped.Add(1)
		} else {
			select {
			case sub.ch <- ev:
			default:
				sub.dropped++
				s.dropped.Add(1)
			}
		}
		sub.mu.Unlock()
	}
}

// closeAll ends every subscription: their channels are closed.
func (s *subscribers) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for sub := range s.subs {
		close(sub.ch)
		delete(s.subs, sub)
	}
	s.count.Store(0)
}

// currentEvents is the state a new subscription starts with: the
// connection status (Connected's answer) and the current document.
func (c *Client) currentEvents() []Event {
	evs := []Event{&ConnectionStatus{Connected: c.Connected()}}
	if doc := c.Document(); doc != nil {
		evs = append(evs, &NewDocument{Document: doc})
	}
	return evs
}
