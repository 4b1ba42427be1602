package mock

// PigeonholeStats counts the daemon's Pigeonhole operations since New. It
// is a plain value, safe to copy and use from any goroutine.
type PigeonholeStats struct {
	// Starts counts start_* requests that registered an operation.
	Starts int64
	// Replays counts starts whose envelope hash (or write-cap hash) had
	// been started before: a client's replays after a reconnect.
	Replays int64
	// Cancels counts cancel_* requests, whether or not they found one.
	Cancels int64
	// InFlight counts operations registered now: waiting, in a round
	// trip, held, or dead (their reply lost while their session was away;
	// they stay registered until cancelled, replaced or dropped, 9.8).
	InFlight int64
	// Held counts answers held now by HoldPigeonhole or because the
	// daemon is offline.
	Held int64
	// Lost counts final replies lost because their session was away
	// (the daemon queues no Pigeonhole reply).
	Lost int64
	// Retransmissions counts round trips repeated after a loss.
	Retransmissions int64
	// Closed counts connections closed for a cap or index of the wrong
	// length (the daemon cannot decode such a frame).
	Closed int64
	// ConflictingWrites counts writes of other content to a box that
	// already holds content or a tombstone (directly or by a copy
	// command): a client that lost track of its stream. The box keeps its
	// first content, as on the replicas, and the write is answered as
	// the daemon does (success, or box already exists with the
	// no-idempotent flag; a copy fails). A tombstone over a written box
	// is no conflict: it replaces the content.
	ConflictingWrites int64
	// Starved counts reads waiting now whose envelope the courier answers
	// from its cache (WithCourierCache): they see no write until their
	// client encrypts the read again or the cache entry is pruned.
	Starved int64
}

// PigeonholeStats returns a snapshot of the Pigeonhole counters. It is
// safe for concurrent use.
func (d *Daemon) PigeonholeStats() PigeonholeStats { return PigeonholeStats(d.ph.Stats()) }

// HoldPigeonhole makes every start_* operation's courier answer wait, from
// now on, until ReleasePigeonhole: operations stay in flight (and can be
// cancelled, or lost with their session) for as long as a test needs.
// Answers also wait while the daemon is offline (SetConnected(false)), as
// the real daemon sends nothing then. It is safe for concurrent use.
func (d *Daemon) HoldPigeonhole() { d.ph.Hold() }

// ReleasePigeonhole stops holding and lets every held answer arrive, in
// the order held (while the daemon is offline, see SetConnected, they
// wait on until it is back). It is safe for concurrent use.
func (d *Daemon) ReleasePigeonhole() { d.ph.Release() }

// phWake lets the held answers arrive unless a test holds them; each one
// that still cannot (the daemon is offline) is held again.
func (d *Daemon) phWake() { d.ph.Wake() }

// WriteBox stores data in the box at index of the stream of writeCap,
// as if a client had written it (an empty data is a tombstone, which
// replaces what the box holds), and reports false if either has the
// wrong length or the box holds other content. Tests use it to prepare a
// store without a client.
func (d *Daemon) WriteBox(writeCap, index, data []byte) bool {
	return d.ph.WriteBox(writeCap, index, data)
}
