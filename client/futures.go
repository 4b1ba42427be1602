package client

import (
	"sync"
	"sync/atomic"
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
//
// Lock order: a shard's lock, then a call's. The reader and the sweeps
// hold the shard lock while they look at a call they found, so that a
// caller who has removed its keys knows nobody else still holds the call.
type futures struct {
	shards [futureShards]futureShard
	late   atomic.Uint64 // results for IDs nobody waits for
	wrong  atomic.Uint64 // results of the wrong type or connection for a live ID
}

func (f *futures) shard(k futureKey) *futureShard { return &f.shards[k[0]%futureShards] }

// add registers c under k unless k is taken, which it reports.
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

// forget removes k if it still maps to c. It is idempotent.
func (f *futures) forget(k futureKey, c *call) {
	s := f.shard(k)
	s.mu.Lock()
	if s.m[k] == c {
		delete(s.m, k)
	}
	s.mu.Unlock()
}

// sweep calls visit for every entry, under the entry's shard lock; an
// entry for which visit returns false is removed. A call with several
// keys is visited once per key: visit must be idempotent.
func (f *futures) sweep(visit func(futureKey, *call) bool) {
	for i := range f.shards {
		s := &f.shards[i]
		s.mu.Lock()
		for k, c := range s.m {
			if !visit(k, c) {
				delete(s.m, k)
			}
		}
		s.mu.Unlock()
	}
}

// len counts the pending calls' keys.
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
