package storage

import "time"

// The courier's envelope cache (docs/protocol.md 9.7 item 4), which makes
// a waiting read starve: the courier keeps each envelope's answer by
// envelope hash. While the answer is "box not found", the daemon's
// retransmissions of that envelope make the courier ask the replicas
// again, at most maxReasks times; then it answers from the cache. An
// entry is pruned only when it has outlived the TTL and a new envelope
// reaches the courier.
//
// The mock keeps no retransmission timers: a read waiting for its box is
// woken by the write (as its next retransmission would find the box) until
// its re-asks are spent, maxReasks retransmission intervals after the
// envelope's first answer; from then on it is starved, answered from the
// cache, and only a prune of its entry lets it ask again.

// courierEntry is the courier's cached state of one envelope.
type courierEntry struct {
	created   time.Time
	exhausted time.Time   // when the daemon's retransmissions have spent the re-asks
	starved   []*phFlight // reads with this hash answered from the cache now
}

// courierSeeLocked is an envelope reaching the courier: it returns the
// envelope's cache entry, making it (and pruning expired ones) when the
// hash is new. nil when the cache is off. The caller holds s.mu.
func (s *Store) courierSeeLocked(key [32]byte) *courierEntry {
	reasks, ttl, retransmit, on := s.opts.courierCache()
	if !on {
		return nil
	}
	if e := s.cache[key]; e != nil {
		return e
	}
	now := time.Now()
	for k, e := range s.cache {
		if now.Sub(e.created) < ttl {
			continue
		}
		delete(s.cache, k)
		for _, f := range e.starved {
			// Its next retransmission is a new envelope to the courier:
			// the replicas are asked again.
			f.starvedBy = nil
			s.phRoundTrip(f, 1)
		}
		if len(e.starved) > 0 {
			s.changes.signal()
		}
	}
	e := &courierEntry{created: now, exhausted: now.Add(time.Duration(reasks) * retransmit)}
	s.cache[key] = e
	return e
}

// waitOrStarveLocked makes the read f, whose box is empty, wait for its
// write while its envelope's re-asks last, and starve after. The caller
// holds s.mu.
func (s *Store) waitOrStarveLocked(f *phFlight, box [32]byte) {
	e := s.courierSeeLocked(f.key)
	if e != nil && !time.Now().Before(e.exhausted) {
		s.starveLocked(f, e)
		return
	}
	s.waitLocked(f, box)
	if e != nil {
		s.host.At(e.exhausted, func(time.Time) { s.phStarve(f, e) })
	}
}

// phStarve ends f's wait when its re-asks are spent, unless it has been
// answered or its entry pruned meanwhile.
func (s *Store) phStarve(f *phFlight, e *courierEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.done || f.dead || f.waiting == nil || s.cache[f.key] != e {
		return
	}
	s.unwaitLocked(f)
	s.starveLocked(f, e)
}

func (s *Store) starveLocked(f *phFlight, e *courierEntry) {
	f.starvedBy = e
	e.starved = append(e.starved, f)
	s.changes.signal()
}

// unstarveLocked forgets that f is starved (it ended). The caller holds
// s.mu.
func (s *Store) unstarveLocked(f *phFlight) {
	e := f.starvedBy
	if e == nil {
		return
	}
	for i, g := range e.starved {
		if g == f {
			e.starved = append(e.starved[:i], e.starved[i+1:]...)
			break
		}
	}
	f.starvedBy = nil
}

// starvedLocked counts the reads answered from the cache now.
func (s *Store) starvedLocked() (n int64) {
	for _, e := range s.cache {
		n += int64(len(e.starved))
	}
	return n
}
