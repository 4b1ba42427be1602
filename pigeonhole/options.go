package pigeonhole

import "time"

// Defaults of WithReadRefresh: the first refresh after 15 s, then the
// interval doubles up to 4 min, below the 5 minutes for which a courier
// keeps an envelope's cached answer (docs/protocol.md 9.7 item 4).
const (
	DefaultReadRefresh    = 15 * time.Second
	DefaultReadRefreshMax = 4 * time.Minute
)

// Option configures a Client made by New.
type Option func(*options)

type options struct {
	refreshFirst, refreshMax time.Duration // 0: no refresh
}

func defaultOptions() options {
	return options{refreshFirst: DefaultReadRefresh, refreshMax: DefaultReadRefreshMax}
}

// WithReadRefresh sets how a waiting read refreshes its envelope (Read,
// Reader.Read, ReadLarge): after first, then after intervals doubling up
// to limit, it encrypts the read again as a fresh envelope, cancels the old
// one, and starts the new one once the old has ended. Without it a read
// of a box written more than about 20 s after the read began is never
// answered: the courier answers the retransmissions of one envelope from
// its cache after five asks of the replicas, for 5 minutes or longer
// (docs/protocol.md 9.7 item 4). Keep limit below those 5 minutes.
//
// Each refresh costs the daemon one encrypt_read, an MKEM encapsulation
// of seconds of CPU (2-4 s on a 2-core machine) that holds up the other
// local requests of the connection meanwhile; Client.Stats and a
// RefreshTracer count them. first <= 0 turns refreshing off: a read then
// keeps its first envelope for as long as its context allows, which is
// right when the write is known to come within seconds. A limit below first
// is taken as first. Default: DefaultReadRefresh doubling to
// DefaultReadRefreshMax.
func WithReadRefresh(first, limit time.Duration) Option {
	return func(o *options) {
		if first <= 0 {
			o.refreshFirst, o.refreshMax = 0, 0
			return
		}
		o.refreshFirst, o.refreshMax = first, max(first, limit)
	}
}
