package transport

import (
	"context"
	"fmt"
	"net"
	"strings"
)

// DefaultAddress is the address the Katzenpost client daemon listens on
// unless configured otherwise: the Linux abstract Unix socket
// "katzenpost".
const DefaultAddress = "@katzenpost"

// Dialer opens a new connection to the daemon. Dial honours ctx: its
// deadline bounds the dial and cancelling it abandons the dial. The
// context does not outlive Dial: it has no effect on the returned
// connection.
//
// The dialers of this package ([Unix], [TCP], [Parse]) are comparable
// values, print as the string Parse reads back, and are safe for
// concurrent use. Other implementations, such as test fakes, should be
// safe for concurrent use too.
type Dialer interface {
	Dial(ctx context.Context) (net.Conn, error)
}

// Default returns the dialer for [DefaultAddress], Unix(DefaultAddress).
func Default() Dialer { return Unix(DefaultAddress) }

// Parse reads a daemon address, as written in a flag or a configuration
// file, and returns the dialer for it. The accepted forms are:
//
//	@katzenpost                abstract Unix socket "katzenpost" (Linux)
//	/run/kp.sock               Unix socket path; relative paths start with ./ or ../
//	unix:@katzenpost           the same, with an explicit scheme
//	unix:/run/kp.sock          (any path after "unix:", relative ones too)
//	tcp:127.0.0.1:64331        TCP, host:port
//	tcp4:localhost:64331       TCP over IPv4 only
//	tcp6:[::1]:64331           TCP over IPv6 only
//	ws://127.0.0.1:64331       WebSocket (kpclientd v0.0.99's [Listen.Ws])
//	wss://kp.example:443/thin  WebSocket over TLS, with a path
//
// Any other string, among them the empty string, a bare name such as
// "katzenpost", an unknown scheme (http:// among them), a TCP address
// without a port and a WebSocket URL without a host or with user
// information, gives
// an error wrapping [ErrInvalidAddress]. Parse does no I/O and no name
// resolution.
func Parse(s string) (Dialer, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: %q: empty", ErrInvalidAddress, s)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return nil, fmt.Errorf("%w: %q: contains a NUL byte", ErrInvalidAddress, s)
	}
	if isUnixForm(s) {
		return parseUnix(s, s)
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return nil, fmt.Errorf("%w: %q: no scheme (an abstract socket is written %q, a relative path %q)",
			ErrInvalidAddress, s, "@"+s, "./"+s)
	}
	switch scheme {
	case "unix":
		return parseUnix(s, rest)
	case "ws", "wss":
		if _, err := parseWebSocketURL(s); err != nil {
			return nil, err
		}
		return WebSocketDialer{url: s}, nil
	case "tcp", "tcp4", "tcp6":
		_, port, err := net.SplitHostPort(rest)
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %v", ErrInvalidAddress, s, err)
		}
		if port == "" {
			return nil, fmt.Errorf("%w: %q: missing port", ErrInvalidAddress, s)
		}
		return TCPDialer{network: scheme, address: rest}, nil
	default:
		return nil, fmt.Errorf("%w: %q: unknown scheme %q (want unix, tcp, tcp4, tcp6, ws or wss)",
			ErrInvalidAddress, s, scheme)
	}
}

// parseUnix checks the Unix socket address of the Parse input s.
func parseUnix(s, address string) (Dialer, error) {
	switch address {
	case "":
		return nil, fmt.Errorf("%w: %q: empty socket address", ErrInvalidAddress, s)
	case "@":
		return nil, fmt.Errorf("%w: %q: empty abstract socket name", ErrInvalidAddress, s)
	}
	return Unix(address), nil
}

// isUnixForm reports whether Parse reads s, without a scheme, as a Unix
// socket address.
func isUnixForm(s string) bool {
	return strings.HasPrefix(s, "@") ||
		strings.HasPrefix(s, "/") ||
		strings.HasPrefix(s, "./") ||
		strings.HasPrefix(s, "../")
}

// addressString gives the textual form, the one Parse reads back, of an
// address on network.
func addressString(network, address string) string {
	if network == "unix" && isUnixForm(address) || network == "ws" || network == "wss" {
		return address
	}
	return network + ":" + address
}

// dial connects to address on network, reporting any failure as a
// *DialError.
func dial(ctx context.Context, network, address string) (net.Conn, error) {
	// The net package reports an ended context as its own errors (they
	// match context.Canceled and context.DeadlineExceeded with errors.Is);
	// checking first gives the context's error itself and skips the
	// system call.
	if err := ctx.Err(); err != nil {
		return nil, &DialError{Network: network, Address: address, Err: err}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, address)
	if err != nil {
		return nil, &DialError{Network: network, Address: address, Err: err}
	}
	return conn, nil
}
