package client

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// Defaults, each written once here.
const (
	// DefaultHandshakeTimeout bounds the handshake after the daemon's first
	// frame, and the whole of it on v0.0.47 daemons that send their first
	// frame at once (a v0.0.47 daemon without a document accepts and then
	// says nothing).
	DefaultHandshakeTimeout = 10 * time.Second
	// DefaultFirstFrameTimeout bounds the wait for the daemon's first
	// frame: a v0.0.99 daemon with no document cached holds a new
	// connection for up to 30 s before it speaks.
	DefaultFirstFrameTimeout = 40 * time.Second
	// DefaultMaxPayload is the payload limit on daemons that do not report
	// their geometry (v0.0.47): 2,000 bytes, a common setting. A larger
	// payload crashes a v0.0.47 daemon configured for 2,000.
	DefaultMaxPayload = 2000
	// DefaultRetransmitSlop is added to the daemon's reply ETA before a
	// reliable send retransmits, as the v0.0.47 daemon's own ARQ does.
	DefaultRetransmitSlop = 3*time.Minute + 45*time.Second
	// DefaultMaxRetransmissions is how often a reliable send is
	// retransmitted before ErrRetransmissionsExhausted, as in v0.0.47.
	DefaultMaxRetransmissions = 3
	// DefaultSubscriberBuffer is the number of events each subscriber's
	// channel holds before events are dropped for it.
	DefaultSubscriberBuffer = 256
)

// Option configures Dial.
type Option func(*options)

type options struct {
	dialer             transport.Dialer
	logger             *slog.Logger
	handshakeTimeout   time.Duration
	firstFrameTimeout  time.Duration
	maxPayload         int // 0: from the daemon's geometry, else DefaultMaxPayload
	maxFrame           int
	reconnect          ReconnectPolicy
	daemonUIDs         []int
	peerCheck          func(transport.PeerCredentials) error
	retransmitSlop     time.Duration
	maxRetransmissions int
	subscriberBuffer   int
	tracer             *tracing // WithTracer; nil: no tracing
	errs               []error  // bad option values, reported by Dial
}

func defaultOptions() options {
	return options{
		dialer:             transport.Default(),
		logger:             slog.New(slog.NewTextHandler(io.Discard, nil)),
		handshakeTimeout:   DefaultHandshakeTimeout,
		firstFrameTimeout:  DefaultFirstFrameTimeout,
		maxFrame:           wire.DefaultMaxFrameSize,
		retransmitSlop:     DefaultRetransmitSlop,
		maxRetransmissions: DefaultMaxRetransmissions,
		subscriberBuffer:   DefaultSubscriberBuffer,
	}
}

func (o *options) bad(format string, args ...any) {
	o.errs = append(o.errs, fmt.Errorf(format, args...))
}

func (o *options) err() error { return errors.Join(o.errs...) }

// WithDialer sets how the daemon is reached. Default: transport.Default(),
// the abstract Unix socket "@katzenpost".
func WithDialer(d transport.Dialer) Option {
	return func(o *options) {
		if d == nil {
			o.bad("client: WithDialer(nil)")
			return
		}
		o.dialer = d
	}
}

// WithLogger sets the logger. Traffic is logged at debug level (IDs and
// sizes, never payloads). Default: discard.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithHandshakeTimeout bounds the handshake after the daemon's first frame
// (DefaultHandshakeTimeout).
func WithHandshakeTimeout(d time.Duration) Option {
	return func(o *options) {
		if d <= 0 {
			o.bad("client: WithHandshakeTimeout(%v): must be positive", d)
			return
		}
		o.handshakeTimeout = d
	}
}

// WithFirstFrameTimeout bounds the wait for the daemon's first frame
// (DefaultFirstFrameTimeout). The context passed to Dial bounds it too.
func WithFirstFrameTimeout(d time.Duration) Option {
	return func(o *options) {
		if d <= 0 {
			o.bad("client: WithFirstFrameTimeout(%v): must be positive", d)
			return
		}
		o.firstFrameTimeout = d
	}
}

// WithMaxPayload refuses payloads over n bytes before sending them. By
// default the limit is the daemon's UserForwardPayloadLength when it
// reports its geometry (v0.0.99), else DefaultMaxPayload.
func WithMaxPayload(n int) Option {
	return func(o *options) {
		if n <= 0 {
			o.bad("client: WithMaxPayload(%d): must be positive", n)
			return
		}
		o.maxPayload = n
	}
}

// WithMaxFrameSize sets the largest frame accepted from the daemon
// (wire.DefaultMaxFrameSize). A larger frame is a protocol error.
func WithMaxFrameSize(n int) Option {
	return func(o *options) {
		if n <= 0 {
			o.bad("client: WithMaxFrameSize(%d): must be positive", n)
			return
		}
		o.maxFrame = n
	}
}

// WithReconnect sets the reconnection policy. The zero ReconnectPolicy
// is the default: reconnect forever with capped exponential backoff and
// jitter. NoReconnect switches it off.
func WithReconnect(p ReconnectPolicy) Option {
	return func(o *options) {
		if err := p.validate(); err != nil {
			o.errs = append(o.errs, err)
			return
		}
		o.reconnect = p
	}
}

// WithDaemonUIDs adds uids that a Unix-socket daemon may run as, besides
// our own uid and root (0), which are always allowed.
func WithDaemonUIDs(uids ...int) Option {
	return func(o *options) { o.daemonUIDs = append(o.daemonUIDs, uids...) }
}

// WithPeerCheck replaces the default peer check (uid ours, root, or one
// of WithDaemonUIDs) with check, called with the daemon's credentials
// right after every dial of a Unix socket. A non-nil error refuses the
// daemon. Pass nil to check nothing.
func WithPeerCheck(check func(transport.PeerCredentials) error) Option {
	return func(o *options) {
		if check == nil {
			check = func(transport.PeerCredentials) error { return nil }
		}
		o.peerCheck = check
	}
}

// WithRetransmission tunes reliable sends on daemons that no longer
// retransmit themselves (v0.0.99): retransmit when no reply came within
// the daemon's reply ETA plus slop (DefaultRetransmitSlop), at most max
// times (DefaultMaxRetransmissions).
func WithRetransmission(slop time.Duration, max int) Option {
	return func(o *options) {
		if slop <= 0 || max < 0 {
			o.bad("client: WithRetransmission(%v, %d): slop must be positive and max not negative", slop, max)
			return
		}
		o.retransmitSlop, o.maxRetransmissions = slop, max
	}
}

// WithSubscriberBuffer sets how many events each subscriber's channel
// holds (DefaultSubscriberBuffer).
func WithSubscriberBuffer(n int) Option {
	return func(o *options) {
		if n <= 0 {
			o.bad("client: WithSubscriberBuffer(%d): must be positive", n)
			return
		}
		o.subscriberBuffer = n
	}
}
