package mock

import (
	"math"
	"time"

	"github.com/katzenthin/katzenthin/mock/internal/storage"
)

// The real courier's and daemon's figures (docs/protocol.md 9.7 item 4,
// 9.11), the defaults of WithCourierCache and WithPigeonholeRetransmit.
const (
	DefaultCourierReasks        = storage.DefaultReasks
	DefaultCourierCacheTTL      = storage.DefaultTTL
	DefaultPigeonholeRetransmit = storage.DefaultRetransmit
)

// WithCourierCache sets the limits of the courier's envelope cache, which
// the mock emulates as the real courier has it (docs/protocol.md 9.7 item
// 4): the courier caches each envelope's answer by envelope hash; while
// the answer is "box not found", a retransmission of the same envelope
// (the daemon's, or a client's replay after a reconnect) makes it ask the
// replicas again, at most maxReasks times; after that it answers every
// retransmission from its cache, so a read whose box is written later is
// never answered. An entry is pruned only when it is older than ttl and a
// new envelope (another hash) reaches the courier; a read starved that way
// asks again at its next retransmission. Tests scale the times down
// together with WithPigeonholeRetransmit. Defaults: DefaultCourierReasks,
// DefaultCourierCacheTTL. Negative values are invalid; zero re-asks
// starve a read of an empty box at its first answer.
func WithCourierCache(maxReasks int, ttl time.Duration) Option {
	return func(o *options) {
		if maxReasks < 0 || ttl < 0 {
			o.invalid("WithCourierCache: negative limit %d, %v", maxReasks, ttl)
			return
		}
		o.ph.CacheSet, o.ph.CacheOff, o.ph.Reasks, o.ph.TTL = true, false, maxReasks, ttl
	}
}

// WithoutCourierCache turns the courier's envelope cache off: a read of an
// empty box waits for its write however long it takes, as the mock did
// before it emulated the cache (no real courier behaves so).
func WithoutCourierCache() Option {
	return func(o *options) { o.ph.CacheSet, o.ph.CacheOff = true, true }
}

// WithPigeonholeRetransmit sets how often the daemon retransmits a read
// that waits for its box (the real daemon: every few seconds; default
// DefaultPigeonholeRetransmit). With the courier cache, a read's re-asks
// are spent maxReasks × interval after its first answer. Zero spends them
// at once; negative is invalid.
func WithPigeonholeRetransmit(interval time.Duration) Option {
	return func(o *options) {
		if interval < 0 {
			o.invalid("WithPigeonholeRetransmit: negative interval %v", interval)
			return
		}
		o.ph.RetransmitSet, o.ph.Retransmit = true, interval
	}
}

// WithPigeonholeLatency makes the mock's Pigeonhole calls take time, as
// real ones do: each local request that does cryptography (encrypt_read,
// encrypt_write, the create_courier_envelopes_* builders, voucher_mint and
// voucher_induct) holds up its connection's requests for local (the real
// daemon: 2-4 s each), and each courier round trip of a start_* operation
// takes mixnet (a read, or a write with the no-idempotent flag, takes two;
// the real network: 2-5 s each). Zero, the default, answers at once.
func WithPigeonholeLatency(local, mixnet time.Duration) Option {
	return func(o *options) {
		if local < 0 || mixnet < 0 {
			o.invalid("WithPigeonholeLatency: negative latency %v, %v", local, mixnet)
			return
		}
		o.ph.Local, o.ph.Mixnet = local, mixnet
	}
}

// WithPigeonholeLoss makes each courier round trip of a start_* operation
// lost with probability p, in [0, 1): the daemon retransmits without
// limit, so a loss only makes the operation take another round trip.
func WithPigeonholeLoss(p float64) Option {
	return func(o *options) {
		if math.IsNaN(p) || p < 0 || p >= 1 {
			o.invalid("WithPigeonholeLoss: probability %v is not in [0, 1)", p)
			return
		}
		o.ph.Loss = p
	}
}
