package transport

import (
	"context"
	"fmt"
	"net"
)

// TCPDialer dials a TCP address. Make one with [TCP] or [Parse]; the zero
// value has no address and its Dial fails with [ErrInvalidAddress].
//
// A TCPDialer is a small comparable value: two dialers for the same
// network and address are equal. It is safe for concurrent use.
type TCPDialer struct {
	network string // "tcp", "tcp4" or "tcp6"
	address string
}

// TCP returns a dialer for address, "host:port", over IPv4 or IPv6 (the
// network "tcp"). The host may be a name, resolved at each Dial. TCP does
// not check the address: a bad one makes Dial fail. [Parse] also makes
// dialers restricted to IPv4 ("tcp4:") or IPv6 ("tcp6:").
func TCP(address string) Dialer { return TCPDialer{network: "tcp", address: address} }

// Dial connects to the address and switches off Nagle's algorithm
// (SetNoDelay(true)), since every frame is written whole and waits for
// an answer. The connection is a *net.TCPConn.
func (d TCPDialer) Dial(ctx context.Context) (net.Conn, error) {
	if d.address == "" {
		return nil, fmt.Errorf("%w: empty TCP address", ErrInvalidAddress)
	}
	conn, err := dial(ctx, d.Network(), d.address)
	if err != nil {
		return nil, err
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		if err := tc.SetNoDelay(true); err != nil {
			conn.Close()
			return nil, &DialError{Network: d.Network(), Address: d.address, Err: err}
		}
	}
	return conn, nil
}

// Network returns "tcp", "tcp4" or "tcp6".
func (d TCPDialer) Network() string {
	if d.network == "" {
		return "tcp"
	}
	return d.network
}

// Address returns the "host:port" address, for example "127.0.0.1:64331".
func (d TCPDialer) Address() string { return d.address }

// String returns the address in the form Parse reads back, for example
// "tcp:127.0.0.1:64331".
func (d TCPDialer) String() string { return addressString(d.Network(), d.address) }
