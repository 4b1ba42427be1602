package mock

import (
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/katzenthin/katzenthin/mock/internal/storage"
	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

// DefaultMaxPayload is the largest payload a send may carry unless
// WithMaxPayload says otherwise: 2000 bytes, the UserForwardPayloadLength
// of the captured networks. A v0.0.47 daemon crashes on a larger one (the
// mock records a Violation); a v0.0.99 daemon refuses it with error code 27.
const DefaultMaxPayload = 2000

// DefaultReplySize is the length every reply payload is zero-padded (or
// truncated) to unless WithReplySize says otherwise: 2574 bytes, the
// ForwardPayloadLength of the captured networks.
const DefaultReplySize = 2574

// DefaultRetransmitDelay is how long a v0.0.47 ARQ send waits, after its
// reply was due, before it retransmits unless WithARQTiming says
// otherwise: 200 ms (the real daemon waits the reply ETA plus 3 min 45 s).
const DefaultRetransmitDelay = 200 * time.Millisecond

// DefaultGCDelay is how long after an ARQ send its
// message_id_garbage_collected event comes unless WithARQTiming says
// otherwise: 2 s (the real daemon: the reply ETA plus 5 min).
const DefaultGCDelay = 2 * time.Second

// DefaultGracePeriod is how long a v0.0.99 session stays resumable after
// its connection is lost unless WithGracePeriod says otherwise: 30 s, as
// the captured daemon was configured.
const DefaultGracePeriod = 30 * time.Second

// DefaultGeneration is the protocol generation the daemon speaks unless
// WithGeneration says otherwise: wire.Generation47, kpclientd v0.0.47.
const DefaultGeneration = wire.Generation47

// DefaultReplyETA is the reply_eta a sent event reports when WithLatency
// is zero: 100 ms (with a latency, the latency is reported).
const DefaultReplyETA = 100 * time.Millisecond

// maxRetransmissions is the v0.0.47 daemon's limit on ARQ retransmissions.
const maxRetransmissions = 3

// maxQueueLength is the longest recipient queue ID the daemon accepts;
// a service's endpoint is "+" followed by its capability.
const maxQueueLength = 32

// Option configures a Daemon. Options are applied by New in order; a later
// option overrides an earlier one. The zero value of every option's
// argument means the default. A value the daemon cannot use makes Serve
// fail with an error wrapping ErrInvalidOption. An Option is a plain
// function value, safe to reuse for several daemons and from any
// goroutine; so is every With function.
type Option func(*options)

// Handler is a service: it gets a message's payload and returns the reply
// payload, which the daemon then zero-pads (or truncates) to the reply
// size. The daemon calls handlers from its own goroutines, several at
// once, so a handler must be safe for concurrent use; it should also be
// fast, since delayed replies share one scheduler goroutine, and it must
// return (Close waits for it). The handler may keep the payload but must
// not modify it: each ARQ transmission hands it the same bytes again. The
// returned slice must not be modified after the handler returns.
type Handler = func(payload []byte) []byte

type options struct {
	services   map[string]Handler
	order      []string // capabilities in the order first given, for the document
	latency    time.Duration
	loss       float64
	maxPayload int
	replySize  int
	retransmit time.Duration
	gc         time.Duration
	offline    bool
	doc        *pki.Document
	generation wire.Generation
	grace      time.Duration
	logger     *slog.Logger
	ph         storage.Options
	errs       []error

	pacing     time.Duration        // WithSendPacing's mean; 0: off
	docPacing  bool                 // WithDocumentPacing
	pacingNext func() time.Duration // tests: the slot intervals
}

func defaultOptions() options {
	return options{
		services:   map[string]Handler{"echo": echo},
		order:      []string{"echo"},
		maxPayload: DefaultMaxPayload,
		replySize:  DefaultReplySize,
		retransmit: DefaultRetransmitDelay,
		gc:         DefaultGCDelay,
		generation: DefaultGeneration,
		grace:      DefaultGracePeriod,
		logger:     slog.New(slog.DiscardHandler),
	}
}

// echo is the default service: the reply is the message.
func echo(payload []byte) []byte { return payload }

func (o *options) invalid(format string, args ...any) {
	o.errs = append(o.errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidOption}, args...)...))
}

// WithService adds a service under capability, or replaces the one there
// ("echo" is always there unless replaced). The default document offers
// every service on its service node, with the endpoint (recipient queue)
// "+" followed by the capability; a document given with WithDocument or
// PublishDocument routes each of its service endpoints to the handler of
// that capability. A nil handler removes the capability. The capability
// must be 1 to 31 bytes long, so that its endpoint fits in a queue ID.
func WithService(capability string, h Handler) Option {
	return func(o *options) {
		if capability == "" || len(capability) >= maxQueueLength {
			o.invalid("WithService: capability %q must be 1 to %d bytes long", capability, maxQueueLength-1)
			return
		}
		if _, ok := o.services[capability]; !ok {
			o.order = append(o.order, capability)
		}
		o.services[capability] = h
	}
}

// WithLatency delays every reply (and every service call) by d, and makes
// sent events report d as their reply_eta. Zero, the default, replies at
// once, from the connection's own goroutine, with DefaultReplyETA
// reported.
func WithLatency(d time.Duration) Option {
	return func(o *options) {
		if d < 0 {
			o.invalid("WithLatency: negative latency %v", d)
			return
		}
		o.latency = d
	}
}

// WithSendPacing makes the daemon send messages into the mixnet as a
// real kpclientd does: on the slots of a Poisson process, here with mean
// interval mean, one message per slot, first come first served. A burst
// of n messages waits in the daemon's egress queue: the last one leaves
// about n intervals later. Each message's sent event comes when its slot
// releases it, its reply WithLatency after that. SURB, no-reply and ARQ
// sends (every transmission) are paced; the daemon's own answers are
// not. A message whose slot comes while the daemon is offline fails as a
// send while offline does. Zero, the default, sends at once; WithDocumentPacing takes the
// mean from the document instead. A later WithSendPacing or
// WithDocumentPacing overrides an earlier one.
func WithSendPacing(mean time.Duration) Option {
	return func(o *options) {
		if mean < 0 {
			o.invalid("WithSendPacing: negative mean %v", mean)
			return
		}
		o.pacing, o.docPacing = mean, false
	}
}

// WithDocumentPacing paces sends as WithSendPacing does, with the mean
// interval the current document gives: 1/LambdaP milliseconds (LambdaP
// is a rate per millisecond; the default document's 0.001 is one slot a
// second, as in the default testnet). A document whose LambdaP is not
// positive paces nothing.
func WithDocumentPacing() Option {
	return func(o *options) { o.pacing, o.docPacing = 0, true }
}

// WithLoss makes every SURB reply (for ARQ, each transmission's reply)
// silently lost with probability p, from 0 (the default) to 1. The
// service still gets the message: the loss is on the way back.
func WithLoss(p float64) Option {
	return func(o *options) {
		if math.IsNaN(p) || p < 0 || p > 1 {
			o.invalid("WithLoss: probability %v is not in [0, 1]", p)
			return
		}
		o.loss = p
	}
}

// WithMaxPayload sets the largest payload a send may carry; see
// DefaultMaxPayload. It is also the UserForwardPayloadLength of the
// v0.0.99 status event's geometry.
func WithMaxPayload(n int) Option {
	return func(o *options) {
		switch {
		case n < 0:
			o.invalid("WithMaxPayload: negative size %d", n)
		case n == 0:
			o.maxPayload = DefaultMaxPayload
		default:
			o.maxPayload = n
		}
	}
}

// WithReplySize sets the length replies are zero-padded to; see
// DefaultReplySize. It is also the ForwardPayloadLength of the v0.0.99
// status event's geometry.
func WithReplySize(n int) Option {
	return func(o *options) {
		switch {
		case n < 0:
			o.invalid("WithReplySize: negative size %d", n)
		case n == 0:
			o.replySize = DefaultReplySize
		default:
			o.replySize = n
		}
	}
}

// WithARQTiming sets the shortened ARQ clock of the v0.0.47 generation:
// retransmit is how long after a transmission's reply was due the daemon
// retransmits (see DefaultRetransmitDelay), gc how long after the send the
// message_id_garbage_collected event comes (see DefaultGCDelay; it never
// comes before the ARQ's final reply). Zero keeps a default.
func WithARQTiming(retransmit, gc time.Duration) Option {
	return func(o *options) {
		if retransmit < 0 || gc < 0 {
			o.invalid("WithARQTiming: negative duration (%v, %v)", retransmit, gc)
			return
		}
		if retransmit > 0 {
			o.retransmit = retransmit
		}
		if gc > 0 {
			o.gc = gc
		}
	}
}

// WithOffline starts the daemon not connected to the mixnet: status events
// say is_connected false and sends fail until SetConnected(true).
func WithOffline() Option {
	return func(o *options) { o.offline = true }
}

// WithDocument serves doc instead of the default document (see New). The
// daemon routes a send to a service when the destination is a service
// node's IdentityHash and the queue one of its endpoints whose capability
// has a handler. The document must not be modified afterwards. Nil keeps
// the default.
func WithDocument(doc *pki.Document) Option {
	return func(o *options) { o.doc = doc }
}

// WithGeneration sets the protocol generation the daemon speaks; see
// DefaultGeneration.
func WithGeneration(g wire.Generation) Option {
	return func(o *options) {
		switch g {
		case wire.GenerationUnknown:
			o.generation = DefaultGeneration
		case wire.Generation47, wire.Generation99:
			o.generation = g
		default:
			o.invalid("WithGeneration: unknown generation %d", g)
		}
	}
}

// WithGracePeriod sets how long a v0.0.99 session stays resumable after
// its connection is lost; see DefaultGracePeriod.
func WithGracePeriod(d time.Duration) Option {
	return func(o *options) {
		switch {
		case d < 0:
			o.invalid("WithGracePeriod: negative duration %v", d)
		case d == 0:
			o.grace = DefaultGracePeriod
		default:
			o.grace = d
		}
	}
}

// WithLogger sets the logger: connections at Info, every request's kind
// at Debug, violations and dropped requests at Warn. Payloads are never
// logged. The default (and nil) discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		o.logger = l
	}
}
