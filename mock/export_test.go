package mock

import "time"

// WithPacingIntervals paces sends (as WithSendPacing) with slot
// intervals from next, called once per slot, under the pacer's lock.
func WithPacingIntervals(next func() time.Duration) Option {
	return func(o *options) { o.pacingNext = next }
}

// PaceForTest queues sends on d's pacer at once, under one lock, so that
// none can leave before the last is queued. d must pace its sends.
func PaceForTest(d *Daemon, sends ...func(slot time.Time)) time.Time {
	p := d.pacer
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	p.queue = append(p.queue, sends...)
	p.tickLocked(now)
	return now
}

// PacedQueue is how many sends wait for a slot.
func PacedQueue(d *Daemon) int { return d.pacer.queued() }

// DocumentMean is documentMean.
var DocumentMean = documentMean
