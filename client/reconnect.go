package client

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Reconnection defaults.
const (
	// DefaultMinBackoff is the wait before the first reconnection attempt.
	DefaultMinBackoff = 100 * time.Millisecond
	// DefaultMaxBackoff caps the wait between attempts.
	DefaultMaxBackoff = 10 * time.Second
)

// ReconnectPolicy says whether and how the client reconnects after losing
// the daemon. The zero value is the default: reconnect forever, waiting
// DefaultMinBackoff and doubling up to DefaultMaxBackoff, each wait
// jittered by up to ±20% so that many clients do not reconnect in step.
type ReconnectPolicy struct {
	// Disabled switches reconnection off: after a loss every pending and
	// new call ends with ErrConnectionLost.
	Disabled bool
	// MinBackoff and MaxBackoff bound the wait between attempts.
	MinBackoff, MaxBackoff time.Duration
	// MaxAttempts ends reconnection after that many failed attempts in a
	// row (0: no limit); the client then behaves as if Disabled.
	MaxAttempts int
}

// NoReconnect is the policy that never reconnects (fail fast).
var NoReconnect = ReconnectPolicy{Disabled: true}

func (p ReconnectPolicy) validate() error {
	if p.MinBackoff < 0 || p.MaxBackoff < 0 || p.MaxAttempts < 0 ||
		(p.MaxBackoff > 0 && p.MinBackoff > p.MaxBackoff) {
		return fmt.Errorf("client: invalid ReconnectPolicy %+v", p)
	}
	return nil
}

// backoff returns the wait before attempt n (1-based).
func (p ReconnectPolicy) backoff(n int) time.Duration {
	lo, hi := p.MinBackoff, p.MaxBackoff
	if lo == 0 {
		lo = DefaultMinBackoff
	}
	if hi == 0 {
		hi = max(DefaultMaxBackoff, lo)
	}
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	// Jitter is not a secret: math/rand is fine here.
	jitter := time.Duration(rand.Int64N(int64(d)/5+1)) * 2
	return d - d/5 + jitter
}
