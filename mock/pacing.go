package mock

import (
	crand "crypto/rand"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// pacer is the daemon's egress queue under send pacing (WithSendPacing,
// WithDocumentPacing). A real kpclientd puts application messages on a
// queue and sends one on each tick of a Poisson process of rate LambdaP,
// so a burst waits its turn. The mock keeps one FIFO per daemon and
// releases its head on each slot, one message per slot, on the
// scheduler's goroutine.
//
// Slots are drawn only while messages wait: when the queue is empty the
// next slot is drawn from the moment a message arrives. For exponential
// intervals that is the same process as one that ticks for ever (it has
// no memory), and an idle daemon schedules nothing.
type pacer struct {
	d    *Daemon
	next func() time.Duration // the interval to the next slot

	mu      sync.Mutex
	queue   []func(slot time.Time)
	ticking bool // a slot is scheduled
}

func newPacer(d *Daemon, mean time.Duration, fromDocument bool, next func() time.Duration) *pacer {
	p := &pacer{d: d, next: next}
	if next != nil {
		return p
	}
	var seed [16]byte
	crand.Read(seed[:])
	rng := rand.New(rand.NewPCG(binary.LittleEndian.Uint64(seed[:8]), binary.LittleEndian.Uint64(seed[8:])))
	p.next = func() time.Duration {
		m := mean
		if fromDocument {
			m = documentMean(d.state.Load().doc.LambdaP)
		}
		return time.Duration(rng.ExpFloat64() * float64(m))
	}
	return p
}

// documentMean is the mean interval between send slots for a document's
// LambdaP, a rate per millisecond: 0.001 (the default testnet's) is one
// slot a second. A rate that is not positive paces nothing.
func documentMean(lambdaP float64) time.Duration {
	if !(lambdaP > 0) || math.IsInf(lambdaP, 0) {
		return 0
	}
	return time.Duration(float64(time.Millisecond) / lambdaP)
}

// enqueue queues send, which runs on the slot that releases it, with the
// slot's time.
func (p *pacer) enqueue(send func(slot time.Time)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queue = append(p.queue, send)
	p.tickLocked(time.Now())
}

// tickLocked schedules the next slot, an interval after from, unless one
// is scheduled or nothing waits. The caller holds p.mu (the scheduler's
// own lock is taken after it, never before).
func (p *pacer) tickLocked(from time.Time) {
	if p.ticking || len(p.queue) == 0 {
		return
	}
	p.ticking = true
	p.d.sched.at(from.Add(p.next()), p.slot)
}

// slot releases the oldest waiting message and draws the next slot from
// this one's due time, so that the spacing holds when the scheduler runs
// late.
func (p *pacer) slot(due time.Time) {
	p.mu.Lock()
	p.ticking = false
	send := p.queue[0]
	p.queue[0] = nil
	p.queue = p.queue[1:]
	p.tickLocked(due)
	p.mu.Unlock()
	send(due)
}

// queued is how many messages wait for a slot.
func (p *pacer) queued() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.queue)
}
