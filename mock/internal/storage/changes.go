package storage

import "sync"

// changes tells the callers of Next (the mock's WaitPigeonhole) that a Pigeonhole counter
// changed: each change closes the channel they hold, and the next caller
// makes a new one. It has a lock of its own rather than
// Store.mu because some changes are signalled with that lock
// held and some without (phRoundTrip runs both ways); nothing else is
// locked while it is held, so any caller may take it. While nobody waits
// the channel is nil and a change costs a lock and a nil check.
type changes struct {
	mu sync.Mutex
	ch chan struct{}
}

// next returns a channel that is closed at the first change after the
// call.
func (b *changes) next() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch == nil {
		b.ch = make(chan struct{})
	}
	return b.ch
}

// signal wakes everyone waiting on next's channel. The daemon calls it
// after each change of a counter, once the change is visible to
// Stats.
func (b *changes) signal() {
	b.mu.Lock()
	if b.ch != nil {
		close(b.ch)
		b.ch = nil
	}
	b.mu.Unlock()
}
