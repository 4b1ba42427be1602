package transport

import (
	"context"
	"fmt"
	"net"
)

// UnixDialer dials a Unix stream socket: an abstract name ("@katzenpost")
// or a filesystem path. Make one with [Unix], [Default] or [Parse]; the
// zero value has no address and its Dial fails with [ErrInvalidAddress].
//
// A UnixDialer is a small comparable value: two dialers for the same
// address are equal. It is safe for concurrent use.
type UnixDialer struct {
	address string
}

// Unix returns a dialer for the Unix stream socket at address. An address
// that starts with '@' names the abstract socket of the rest of the name
// (Linux only: Go maps the leading '@' to the abstract namespace; other
// systems read it as a path); anything else is a filesystem path,
// relative to the working directory at the time of Dial unless absolute.
// Unix does not check the address: a bad one makes Dial fail.
func Unix(address string) Dialer { return UnixDialer{address: address} }

// Dial connects to the socket. The connection is a *net.UnixConn.
func (d UnixDialer) Dial(ctx context.Context) (net.Conn, error) {
	if d.address == "" {
		return nil, fmt.Errorf("%w: empty Unix socket address", ErrInvalidAddress)
	}
	return dial(ctx, "unix", d.address)
}

// Network returns "unix".
func (d UnixDialer) Network() string { return "unix" }

// Address returns the address given to Unix, for example "@katzenpost"
// or "/run/kp.sock".
func (d UnixDialer) Address() string { return d.address }

// String returns the address in the form Parse reads back: the address
// itself when it starts with "@", "/", "./" or "../", otherwise the
// address after "unix:".
func (d UnixDialer) String() string { return addressString("unix", d.address) }
