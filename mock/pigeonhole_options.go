package mock

import (
	"math"
	"time"
)

// pigeonholeOptions configure the v0.0.99 Pigeonhole API of the mock.
type pigeonholeOptions struct {
	local  time.Duration // each crypto-heavy local request
	mixnet time.Duration // each courier round trip of a start_* operation
	loss   float64       // probability that a round trip is lost (and retransmitted)
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
		o.ph.local, o.ph.mixnet = local, mixnet
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
		o.ph.loss = p
	}
}
