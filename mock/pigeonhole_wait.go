package mock

import (
	"context"
)

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
		changed := d.ph.Next()
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
