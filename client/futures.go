package client

import (
	"sync"
	"sync/atomic"
	"time"
)

// futureShards spreads the futures map over independently locked shards,
// so that thousands of callers registering and the reader resolving do
// not contend on one lock. IDs are random, so their first byte spreads
// them evenly.
const futureShards = 64

type futureKey = [16]byte

type futureShard struct {
	mu sync.Mutex
	m  map[futureKey]*call
	_  [40]byte // keep shards on separate cache lines
}

// futures maps request IDs (SURB IDs, message IDs, query IDs: all random
// 16 bytes, one key space) to pending calls. Safe for concurrent use.
type futures struct {
	shards [futureShards]futureShard
	late   atomic.Uint64 // replies and events for IDs nobody waits for
}

func (f *futures) shard(k futureKey) *futureShard { return &f.shards[k[0]%futureShards] }

// add registers c under k unless k is taken, which it reports: IDs are
// drawn at random, and a caller whose ID is taken draws again, so no two
// calls ever share an ID.
func (f *futures) add(k futureKey, c *call) bool {
	s := f.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[futureKey]*call)
	}
	if _, taken := s.m[k]; taken {
		return false
	}
	s.m[k] = c
	return true
}

// forget removes k if it still maps to c. It is idempotent: every exit
// path of a call defers it.
func (f *futures) forget(k futureKey, c *call) {
	s := f.shard(k)
	s.mu.Lock()
	if s.m[k] == c {
		delete(s.m, k)
	}
	s.mu.Unlock()
}

// take removes and returns the call under k with the sent-event facts
// recorded for it, or nil.
func (f *futures) take(k futureKey) (c *call, sentAt time.Time, eta time.Duration) {
	s := f.shard(k)
	s.mu.Lock()
	c = s.m[k]
	if c != nil {
		delete(s.m, k)
		sentAt, eta = c.sentAt, c.eta
	}
	s.mu.Unlock()
	if c == nil {
		f.late.Add(1)
	}
	return c, sentAt, eta
}

// sent records a sent event for k. It returns the call, or nil when no
// call waits under k.
func (f *futures) sent(k futureKey, sentAt time.Time, eta time.Duration) *call {
	s := f.shard(k)
	s.mu.Lock()
	c := s.m[k]
	if c != nil {
		c.sentAt, c.eta = sentAt, eta
	}
	s.mu.Unlock()
	return c
}

// sweep removes every entry for which keep returns false, calling it
// under the shard's lock.
func (f *futures) sweep(keep func(futureKey, *call) bool) {
	for i := range f.shards {
		s := &f.shards[i]
		s.mu.Lock()
		for k, c := range s.m {
			if !keep(k, c) {
				delete(s.m, k)
			}
		}
		s.mu.Unlock()
	}
}

// len counts the pending entries.
func (f *futures) len() int {
	n := 0
	for i := range f.shards {
		s := &f.shards[i]
		s.mu.Lock()
		n += len(s.m)
		s.mu.Unlock()
	}
	return n
}
