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
	// DefaultSentEventWait is how long a v0.0.99 reliable send waits for
	// a transmission's sent event before it transmits again: the daemon
	// sends the event when the packet leaves on its Poisson schedule,
	// which a burst delays, and may lose it.
	DefaultSentEventWait = time.Minute
	// DefaultMaxRetransmissions is how often a reliable send is
	// retransmitted before ErrRetransmissionsExhausted, as in v0.0.47.
	DefaultMaxRetransmissions = 3
	// DefaultSubscriberBuffer is the number of events each subscriber's
	// channel holds before events are dropped for it.
	DefaultSubscriberBuffer = 256
	// DefaultWriteTimeout bounds every write to the daemon's socket. A
	// write that times out (a daemon that stopped reading) ends the
	// connection like a socket loss.
	DefaultWriteTimeout = 10 * time.Second
	// DefaultWriteQueueFrames is how many frames wait for the writer at
	// most; a caller who finds the queue full waits within its context.
	DefaultWriteQueueFrames = 4096
	// DefaultWriteQueueBytes bounds the bytes of the frames waiting for
	// the writer (one larger frame is always let in on its own).
	DefaultWriteQueueBytes = 8 << 20
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
	retransmitSlop     time.Duration // 0: the daemon's reply horizon
	maxRetransmissions int
	subscriberBuffer   int
	writeTimeout       time.Duration
	writeQueueFrames   int
	writeQueueBytes    int
	waitForReady       bool
	dialRetry          bool
	tracer             Tracer  // WithTracer; nil: no tracing
	errs               []error // bad option values, reported by Dial
}

func defaultOptions() options {
	return options{
		dialer:             transport.Default(),
		logger:             slog.New(slog.NewTextHandler(io.Discard, nil)),
		handshakeTimeout:   DefaultHandshakeTimeout,
		firstFrameTimeout:  DefaultFirstFrameTimeout,
		maxFrame:           wire.DefaultMaxFrameSize,
		maxRetransmissions: DefaultMaxRetransmissions,
		subscriberBuffer:   DefaultSubscriberBuffer,
		writeTimeout:       DefaultWriteTimeout,
		writeQueueFrames:   DefaultWriteQueueFrames,
		writeQueueBytes:    DefaultWriteQueueBytes,
		waitForReady:       true,
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
// the transmission's sent time plus the daemon's reply ETA plus slop, at
// most max times (DefaultMaxRetransmissions). By default the slop is the
// daemon's own reply horizon, (2 x mix layers + 3) x 500 ms
// (docs/protocol.md 8): the daemon forgets the SURB then, so no reply can come later.
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

// WithWriteTimeout bounds every write to the daemon's socket
// (DefaultWriteTimeout). A write that times out ends the connection like
// a socket loss.
func WithWriteTimeout(d time.Duration) Option {
	return func(o *options) {
		if d <= 0 {
			o.bad("client: WithWriteTimeout(%v): must be positive", d)
			return
		}
		o.writeTimeout = d
	}
}

// WithWriteQueue bounds the frames waiting for the writer: at most frames
// of them (DefaultWriteQueueFrames) and bytes in all
// (DefaultWriteQueueBytes). A caller who finds the queue full waits
// within its context: a daemon that stops reading holds callers, not
// memory.
func WithWriteQueue(frames, bytes int) Option {
	return func(o *options) {
		if frames <= 0 || bytes <= 0 {
			o.bad("client: WithWriteQueue(%d, %d): both must be positive", frames, bytes)
			return
		}
		o.writeQueueFrames, o.writeQueueBytes = frames, bytes
	}
}

// WithWaitForReady says what calls do while no daemon connection exists
// (the client is reconnecting). true, the default: they wait for one
// within their context, and an error after the context ends matches
// ErrDaemonUnavailable too. false: they fail at once with
// ErrDaemonUnavailable (gRPC's fail-fast).
func WithWaitForReady(wait bool) Option {
	return func(o *options) { o.waitForReady = wait }
}

// WithDialRetry makes Dial wait for a daemon to appear, trying again with
// the reconnect backoff (WithReconnect) until its context ends, for
// backends that start before the daemon. The error after the context
// ends matches ErrDaemonUnavailable and the context's error.
func WithDialRetry() Option {
	return func(o *options) { o.dialRetry = true }
}
