package mock

import (
	"context"
	"sync"
)

// phChanges tells WaitPigeonhole's callers that a Pigeonhole counter
// changed: each change closes the channel they hold, and the next caller
// makes a new one. It has a lock of its own rather than
// pigeonholeState.mu because some changes are signalled with that lock
// held and some without (phRoundTrip runs both ways); nothing else is
// locked while it is held, so any caller may take it. While nobody waits
// the channel is nil and a change costs a lock and a nil check.
type phChanges struct {
	mu sync.Mutex
	ch chan struct{}
}

// next returns a channel that is closed at the first change after the
// call.
func (b *phChanges) next() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch == nil {
		b.ch = make(chan struct{})
	}
	return b.ch
}

// signal wakes everyone waiting on next's channel. The daemon calls it
// after each change of a counter, once the change is visible to
// PigeonholeStats.
func (b *phChanges) signal() {
	b.mu.Lock()
	if b.ch != nil {
		close(b.ch)
		b.ch = nil
	}
	b.mu.Unlock()
}

// WaitPigeonhole blocks until cond holds for the Pigeonhole counters and
// returns the snapshot it held for. cond sees a fresh PigeonholeStats at
// once and again after each change of a counter (changes close together
// may come as one snapshot), on the caller's goroutine; it must not
// block. If ctx ends first, WaitPigeonhole returns
// ctx.Err(); if the daemon closes first and cond does not hold for its
// final counters, ErrClosed; either way with the last snapshot cond saw.
//
// Tests wait with it instead of polling PigeonholeStats: the counters
// change on the daemon's goroutines (and on its clock), after the
// request that caused the change was read. It starts no goroutine and is
// safe for concurrent use.
func (d *Daemon) WaitPigeonhole(ctx context.Context, cond func(PigeonholeStats) bool) (PigeonholeStats, error) {
	for {
		// The channel is taken before the snapshot, so a change made
		// after the snapshot closes it and is not missed.
		changed := d.ph.changes.next()
		st := d.PigeonholeStats()
		if cond(st) {
			return st, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return st, ctx.Err()
		case <-d.done:
			// Closed: its connections and clock are gone, and with them
			// what changes the counters; one last look decides.
			if st = d.PigeonholeStats(); cond(st) {
				return st, nil
			}
			return st, ErrClosed
		}
	}
}
