package client

import (
	"context"
	"errors"
	"time"

	"github.com/katzenthin/katzenthin/service"
	"github.com/katzenthin/katzenthin/wire"
)

// Tracer receives the client's calls and connection changes, for metrics
// and traces: set it with WithTracer. The module depends on no telemetry
// library; an adapter of a few lines feeds OpenTelemetry, Prometheus or
// expvar (see README.md).
//
// The client calls a Tracer from many goroutines at once: its methods
// must be safe for concurrent use, and quick, since they run on the
// call's goroutine (CallStart, CallEnd) or on the client's own
// (ConnectionLost, Reconnected, which hold up reconnection while they
// run). They must not call the Client's blocking methods. A Tracer sees
// destinations and sizes, never payloads.
type Tracer interface {
	// CallStart is called when a call begins, before any validation. The
	// context it returns is the call's from then on (say, with a span),
	// and is the one CallEnd gets; return ctx itself to add nothing (a
	// nil context is taken to mean that too).
	CallStart(ctx context.Context, info CallInfo) context.Context
	// CallEnd is called once per CallStart, when the call returns: err
	// is what the call returns (nil on success), and info has Duration
	// and Attempts set.
	CallEnd(ctx context.Context, info CallInfo, err error)
	// ConnectionLost is called when the connection to the daemon ends
	// (socket loss, protocol error, shutdown event), but not on Close.
	ConnectionLost(err error)
	// Reconnected is called when the client is connected again.
	Reconnected(info ReconnectInfo)
}

// CallKind says which method a traced call is.
type CallKind uint8

// The kinds of traced calls. Call and SendAppend go through Send; every
// Pigeonhole call goes through Query, and CallInfo.Operation names it.
const (
	CallSend             CallKind = iota + 1 // Send
	CallSendReliable                         // SendReliable
	CallSendNoReply                          // SendNoReply
	CallDocumentForEpoch                     // DocumentForEpoch
	CallQuery                                // Query: Pigeonhole and other v0.0.99 requests
)

// String returns the method's name, fit for a metric attribute.
func (k CallKind) String() string {
	switch k {
	case CallSend:
		return "Send"
	case CallSendReliable:
		return "SendReliable"
	case CallSendNoReply:
		return "SendNoReply"
	case CallDocumentForEpoch:
		return "DocumentForEpoch"
	case CallQuery:
		return "Query"
	}
	return "unknown"
}

// CallInfo describes a traced call.
type CallInfo struct {
	Kind CallKind
	// Operation is the request's operation as the daemon names it, for
	// Query and DocumentForEpoch: "get_pki_document", and for each
	// Pigeonhole call its own ("new_keypair", "encrypt_read",
	// "start_resending_encrypted_message", ...), fit for a metric
	// attribute. Empty for sends.
	Operation   string
	Destination service.Destination // sends only; the caller's value, do not modify
	Size        int                 // the payload's length in bytes (sends)
	Epoch       uint64              // DocumentForEpoch only
	Start       time.Time

	// Set for CallEnd only.

	// Duration is the time from CallStart to the call's return.
	Duration time.Duration
	// Attempts is how many times the request was handed to a connection:
	// 0 when it failed before (invalid, offline, no daemon), more than 1
	// after a lost connection or, for SendReliable on v0.0.99, the
	// client's retransmissions.
	Attempts int
}

// ReconnectInfo describes a reconnection.
type ReconnectInfo struct {
	Attempt  int           // dial attempts it took (1 is the first)
	Resumed  bool          // v0.0.99: the daemon resumed the session
	Downtime time.Duration // since the connection was lost
}

// WithTracer sets a Tracer that sees every call and connection change
// (default: none, at no cost). nil switches tracing off.
func WithTracer(t Tracer) Option {
	return func(o *options) { o.tracer = t }
}

// noopTracer is the client's Tracer when none is set.
type noopTracer struct{}

func (noopTracer) CallStart(ctx context.Context, _ CallInfo) context.Context { return ctx }
func (noopTracer) CallEnd(context.Context, CallInfo, error)                  {}
func (noopTracer) ConnectionLost(error)                                      {}
func (noopTracer) Reconnected(ReconnectInfo)                                 {}

// info describes cl for the tracer's CallStart.
func (cl *call) info() CallInfo {
	switch cl.kind {
	case kindReliable:
		return CallInfo{Kind: CallSendReliable, Destination: cl.dst, Size: len(cl.payload)}
	case kindNoReply:
		return CallInfo{Kind: CallSendNoReply, Destination: cl.dst, Size: len(cl.payload)}
	case kindQuery:
		if cl.query.expect == wire.ReplyGetPKIDocument {
			return CallInfo{Kind: CallDocumentForEpoch, Operation: cl.query.name, Epoch: cl.query.epoch}
		}
		return CallInfo{Kind: CallQuery, Operation: cl.query.name}
	}
	return CallInfo{Kind: CallSend, Destination: cl.dst, Size: len(cl.payload)}
}

// traceLost tells the tracer the connection was lost, with the error
// the calls it ended got (the supervisor calls it where it publishes
// ConnectionLost).
func (c *Client) traceLost(err error) {
	if c.traced {
		c.lostAt.Store(time.Now().UnixNano())
		c.tracer.ConnectionLost(err)
	}
}

// traceReconnected tells the tracer the client reconnected (the
// supervisor calls it where it publishes Reconnected).
func (c *Client) traceReconnected(attempt int, resumed bool) {
	if c.traced {
		var down time.Duration
		if at := c.lostAt.Load(); at != 0 {
			down = time.Since(time.Unix(0, at))
		}
		c.tracer.Reconnected(ReconnectInfo{Attempt: attempt, Resumed: resumed, Downtime: down})
	}
}

// Outcome names the class of a call's error in a few fixed words, fit
// for a metric attribute (low cardinality): "ok", "deadline",
// "canceled", "offline", "connection_lost", "service_unavailable",
// "invalid_request", "bad_reply", "retransmissions_exhausted",
// "send_failed", "closed" or "error".
func Outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, ErrOffline):
		return "offline"
	case errors.Is(err, ErrClosed):
		return "closed"
	case errors.Is(err, ErrConnectionLost):
		return "connection_lost"
	case errors.Is(err, ErrServiceUnavailable):
		return "service_unavailable"
	case errors.Is(err, ErrInvalidRequest):
		return "invalid_request"
	case errors.Is(err, ErrBadReply):
		return "bad_reply"
	case errors.Is(err, ErrRetransmissionsExhausted):
		return "retransmissions_exhausted"
	case errors.Is(err, ErrSendFailed):
		return "send_failed"
	}
	return "error"
}
