package transport

import (
	"errors"
	"net"
	"syscall"
)

var (
	// ErrInvalidAddress reports an address that cannot name a daemon
	// socket. Parse wraps it with the offending string and the reason.
	ErrInvalidAddress = errors.New("transport: invalid address")

	// ErrDaemonNotRunning reports a dial that found nothing listening:
	// the connection was refused or the socket path does not exist. A
	// *DialError matches it with errors.Is.
	ErrDaemonNotRunning = errors.New("transport: no daemon is listening")

	// ErrPeerCredentialsUnsupported reports that PeerCreds cannot tell who
	// is at the other end: the connection is not a Unix socket, or the
	// platform offers no way to ask. It is returned wrapped with detail.
	ErrPeerCredentialsUnsupported = errors.New("transport: peer credentials unsupported")

	// ErrConfig reports a thin-client configuration file that cannot be
	// used. Every error of LoadConfig and ParseConfig is a *ConfigError,
	// which matches it.
	ErrConfig = errors.New("transport: bad thin-client configuration")

	// ErrNotWebSocket reports a ws:// or wss:// address whose server
	// answered the handshake with something other than a WebSocket
	// upgrade: it refused the upgrade, or it is a plain web server. A
	// *DialError matches it with errors.Is.
	ErrNotWebSocket = errors.New("transport: not a WebSocket upgrade")
)

// DialError reports a failed Dial. Err is the cause, usually a
// *net.OpError, and stays reachable through errors.Is and errors.As; a
// context that ended before or during the dial gives an error for which
// errors.Is(err, context.Canceled) or errors.Is(err,
// context.DeadlineExceeded) holds. errors.Is(err, ErrDaemonNotRunning)
// holds when nothing listens at the address (ECONNREFUSED or ENOENT).
//
// A DialError is not modified after it is returned and is safe for
// concurrent use.
type DialError struct {
	Network string // "unix", "tcp", "tcp4", "tcp6", "ws" or "wss"
	Address string // as given to Unix, TCP or WebSocket: "@katzenpost", "/run/kp.sock", "127.0.0.1:64331", "ws://127.0.0.1:64331"
	Err     error
}

// Error reads, for example,
// "transport: dial @katzenpost: no daemon is listening (connection refused)".
func (e *DialError) Error() string {
	msg := "transport: dial " + addressString(e.Network, e.Address) + ": "
	if e.Err == nil {
		return msg + "unknown error"
	}
	if daemonNotRunning(e.Err) {
		var errno syscall.Errno
		if errors.As(e.Err, &errno) {
			return msg + "no daemon is listening (" + errno.Error() + ")"
		}
		return msg + "no daemon is listening"
	}
	// The *net.OpError repeats the network and address already given.
	if opErr, ok := e.Err.(*net.OpError); ok && opErr.Err != nil {
		return msg + opErr.Err.Error()
	}
	return msg + e.Err.Error()
}

// Unwrap returns the cause.
func (e *DialError) Unwrap() error { return e.Err }

// Is reports whether target is ErrDaemonNotRunning and the cause shows
// that nothing listens at the address.
func (e *DialError) Is(target error) bool {
	return target == ErrDaemonNotRunning && daemonNotRunning(e.Err)
}

// daemonNotRunning reports whether err means that nothing listens at the
// address: refused (no listener, or a stale socket file) or no such file.
func daemonNotRunning(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT)
}
