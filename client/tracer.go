package client

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/service"
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

// The kinds of traced calls. Call goes through Send.
const (
	CallSend             CallKind = iota + 1 // Send
	CallSendReliable                         // SendReliable
	CallSendNoReply                          // SendNoReply
	CallDocumentForEpoch                     // DocumentForEpoch
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
	}
	return "unknown"
}

// CallInfo describes a traced call.
type CallInfo struct {
	Kind        CallKind
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
	return func(o *options) {
		o.tracer = nil
		if t != nil {
			o.tracer = &tracing{t: t}
		}
	}
}

// tracing is a client's Tracer and the state its hooks keep.
type tracing struct {
	t      Tracer
	lostAt atomic.Int64 // UnixNano of the latest connection loss
}

// traceKey marks a context whose call is being traced, so the traced
// call does not trace itself again, and holds its attempt counter.
type traceKey struct{}

// callTrace is a traced call's state while it runs.
type callTrace struct {
	attempts atomic.Int32
}

// traced reports whether ctx belongs to a call already being traced.
func traced(ctx context.Context) bool {
	_, ok := ctx.Value(traceKey{}).(*callTrace)
	return ok
}

// traceAttempt counts one handing of a traced call's request to a
// connection. The caller checks c.o.tracer first, so an untraced client
// pays nothing.
func traceAttempt(ctx context.Context) {
	if t, ok := ctx.Value(traceKey{}).(*callTrace); ok {
		t.attempts.Add(1)
	}
}

// publicKind maps the client's call kinds to the traced ones.
func publicKind(k callKind) CallKind {
	switch k {
	case kindReliable:
		return CallSendReliable
	case kindNoReply:
		return CallSendNoReply
	case kindQuery:
		return CallDocumentForEpoch
	}
	return CallSend
}

// trace runs call between the tracer's CallStart and CallEnd. The send
// path calls it when a tracer is set and ctx is not yet traced; call is
// then the same method again, with the traced context.
func trace[T any](c *Client, ctx context.Context, info CallInfo, call func(context.Context) (T, error)) (T, error) {
	info.Start = time.Now()
	if tctx := c.o.tracer.t.CallStart(ctx, info); tctx != nil {
		ctx = tctx
	}
	st := &callTrace{}
	v, err := call(context.WithValue(ctx, traceKey{}, st))
	info.Duration = time.Since(info.Start)
	info.Attempts = int(st.attempts.Load())
	c.o.tracer.t.CallEnd(ctx, info, err)
	return v, err
}

// traceSend traces a send (roundTrip's first line calls it).
func (c *Client) traceSend(ctx context.Context, kind callKind, dst service.Destination, payload, into []byte) (Reply, error) {
	info := CallInfo{Kind: publicKind(kind), Destination: dst, Size: len(payload)}
	return trace(c, ctx, info, func(ctx context.Context) (Reply, error) {
		return c.roundTrip(ctx, kind, dst, payload, into)
	})
}

// traceDocument traces DocumentForEpoch.
func (c *Client) traceDocument(ctx context.Context, epoch uint64) (*pki.Document, error) {
	return trace(c, ctx, CallInfo{Kind: CallDocumentForEpoch, Epoch: epoch}, func(ctx context.Context) (*pki.Document, error) {
		return c.DocumentForEpoch(ctx, epoch)
	})
}

// traceLost tells the tracer the connection was lost (the supervisor
// calls it where it publishes ConnectionLost).
func (c *Client) traceLost(err error) {
	if t := c.o.tracer; t != nil {
		t.lostAt.Store(time.Now().UnixNano())
		t.t.ConnectionLost(lost(err))
	}
}

// traceReconnected tells the tracer the client reconnected (the
// supervisor calls it where it publishes Reconnected).
func (c *Client) traceReconnected(attempt int, resumed bool) {
	if t := c.o.tracer; t != nil {
		var down time.Duration
		if at := t.lostAt.Load(); at != 0 {
			down = time.Since(time.Unix(0, at))
		}
		t.t.Reconnected(ReconnectInfo{Attempt: attempt, Resumed: resumed, Downtime: down})
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
