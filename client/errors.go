package client

import (
	"errors"
	"fmt"
	"strings"

	"github.com/katzenthin/katzenthin/wire"
)

var (
	// ErrClosed is the error of every call pending when Close is called
	// and of every call made after it.
	ErrClosed = errors.New("client: closed")
	// ErrConnectionLost is the error of a call whose request may have
	// reached the daemon when the connection ended, so that its outcome
	// is unknown. It wraps what ended the connection (EOF, a reset, a
	// write timeout, a protocol error, the daemon's shutdown event). With
	// reconnection off, every later call ends with it too.
	ErrConnectionLost = errors.New("client: connection to the daemon lost")
	// ErrOffline is the error of a send made while the daemon's latest
	// status event says it is not connected to the mixnet: the send fails
	// at once.
	ErrOffline = errors.New("client: daemon is not connected to the mixnet")
	// ErrRetransmissionsExhausted is the error of a reliable send that
	// got no reply after all its retransmissions.
	ErrRetransmissionsExhausted = errors.New("client: retransmissions exhausted")
	// ErrSendFailed is the error of a send the daemon reported it could
	// not make.
	ErrSendFailed = errors.New("client: daemon failed to send")
	// ErrInvalidRequest is the error of a request refused before sending
	// (a bad destination, queue or payload size) or refused by the
	// daemon. The error wraps the reason.
	ErrInvalidRequest = errors.New("client: invalid request")
	// ErrProtocol is the error of a connection the daemon broke the
	// protocol on: a frame over the limit, an undecodable frame, a
	// handshake out of order.
	ErrProtocol = errors.New("client: daemon protocol error")
	// ErrHandshakeTimeout is the error of a dial whose daemon accepted the
	// connection but did not complete the handshake in time (a v0.0.47
	// daemon without a PKI document accepts and then says nothing).
	ErrHandshakeTimeout = errors.New("client: daemon did not complete the handshake in time")
	// ErrUnsupported is the error of a call the daemon's generation
	// cannot make.
	ErrUnsupported = errors.New("client: not supported by this daemon")
	// ErrUntrustedDaemon is the error of a dial whose daemon failed the
	// peer credentials check (see WithDaemonUIDs and WithPeerCheck): Dial
	// returns a *PeerError that matches it.
	ErrUntrustedDaemon = errors.New("client: untrusted daemon")
	// ErrServiceUnavailable is the error of a call the daemon answered
	// with "service or document unavailable" (v0.0.99 error code 10).
	ErrServiceUnavailable = errors.New("client: unavailable")
	// ErrDaemonUnavailable is the error of a call that needed a daemon
	// connection when none existed. A call whose context ends while it
	// waits for the daemon returns an error matching both this and the
	// context's error; with WithWaitForReady(false) such a call fails at
	// once with it. Nothing of the call reached the daemon while it
	// waited.
	ErrDaemonUnavailable = errors.New("client: daemon unavailable")
)

// unavailableError is ErrDaemonUnavailable with the context's error (if
// the call waited) and the latest connection failure.
type unavailableError struct {
	ctxErr error // nil when the call did not wait
	last   error // why the latest connection or attempt failed, or nil
}

// Error names the context's error and the latest connection failure.
func (e *unavailableError) Error() string {
	var b strings.Builder
	b.WriteString(ErrDaemonUnavailable.Error())
	if e.ctxErr != nil {
		b.WriteString(": ")
		b.WriteString(e.ctxErr.Error())
	}
	if e.last != nil {
		b.WriteString(" (last: ")
		b.WriteString(e.last.Error())
		b.WriteString(")")
	}
	return b.String()
}

// Is matches ErrDaemonUnavailable.
func (e *unavailableError) Is(target error) bool { return target == ErrDaemonUnavailable }

// Unwrap returns the context's error and the latest connection failure.
func (e *unavailableError) Unwrap() []error {
	var errs []error
	for _, err := range []error{e.ctxErr, e.last} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// unavailable returns ErrDaemonUnavailable wrapping ctxErr (nil: the call
// did not wait) and the latest connection failure.
func (c *Client) unavailable(ctxErr error) error {
	e := &unavailableError{ctxErr: ctxErr}
	if last := c.lastErr.Load(); last != nil {
		e.last = *last
	}
	return e
}

// DaemonError is a failure the daemon reported for one call: a sent event
// with an error, a reply with an error, or (v0.0.99) a non-zero error
// code. errors.Is matches the sentinel it maps to (ErrSendFailed,
// ErrRetransmissionsExhausted, ErrInvalidRequest, ErrConnectionLost,
// ErrServiceUnavailable).
type DaemonError struct {
	Code wire.ErrorCode // v0.0.99 error code, 0 when the daemon sent none
	Text string         // the daemon's message, often empty (v0.0.47 sends none)
	Kind error          // the sentinel this error matches
}

// Error describes the failure: the sentinel, the code and the text.
func (e *DaemonError) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	if e.Code != 0 {
		fmt.Fprintf(&b, " (code %d: %s)", e.Code, e.Code)
	}
	if e.Text != "" {
		b.WriteString(": ")
		b.WriteString(e.Text)
	}
	return b.String()
}

// Is reports whether target is the sentinel e maps to.
func (e *DaemonError) Is(target error) bool { return target == e.Kind }

// codeError maps a v0.0.99 error code to a *DaemonError.
func codeError(code wire.ErrorCode) error {
	kind := ErrSendFailed
	switch code {
	case wire.ErrorCodeInvalidRequest, wire.ErrorCodeInvalidPayload, wire.ErrorCodePayloadTooLarge:
		kind = ErrInvalidRequest
	case wire.ErrorCodeMaxRetries:
		kind = ErrRetransmissionsExhausted
	case wire.ErrorCodeConnectionLost:
		kind = ErrConnectionLost
	case wire.ErrorCodeServiceUnavailable:
		kind = ErrServiceUnavailable
	}
	return &DaemonError{Code: code, Kind: kind}
}

// PeerError says why Dial refused a daemon after reading its socket's peer
// credentials. errors.Is(err, ErrUntrustedDaemon) holds.
type PeerError struct {
	UID, GID, PID int   // the daemon process's credentials
	Allowed       []int // the uids the default check allows
	Err           error // a custom check's error, nil for the default check
}

// Error names the daemon's uid and pid and how to allow it.
func (e *PeerError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("client: daemon (uid %d, pid %d) refused by the peer check: %v", e.UID, e.PID, e.Err)
	}
	return fmt.Sprintf("client: daemon runs as uid %d (pid %d), not one of the allowed uids %v; "+
		"if you trust it, allow it with client.WithDaemonUIDs(%d)", e.UID, e.PID, e.Allowed, e.UID)
}

// Is matches ErrUntrustedDaemon.
func (e *PeerError) Is(target error) bool { return target == ErrUntrustedDaemon }

// Unwrap returns a custom check's error.
func (e *PeerError) Unwrap() error { return e.Err }

// lost wraps a connection-loss cause.
func lost(cause error) error {
	if cause == nil || errors.Is(cause, ErrConnectionLost) {
		return ErrConnectionLost
	}
	return fmt.Errorf("%w: %w", ErrConnectionLost, cause)
}

// invalid wraps a reason as ErrInvalidRequest.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidRequest, fmt.Sprintf(format, args...))
}
