// Package wsconn turns a WebSocket into the byte stream the thin-client
// protocol runs over, for both ends: transport's dialer and mock's
// listener. Frames travel as binary messages and are read as one byte
// stream, so a frame may span messages and a message may hold several
// frames.
package wsconn

import (
	"context"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Addr is the address of one end of a WebSocket connection.
type Addr struct {
	Net  string // "ws" or "wss"
	Host string // a URL ("ws://127.0.0.1:64331/") or host:port
}

// Network returns "ws" or "wss".
func (a Addr) Network() string { return a.Net }

// String returns the URL or host:port.
func (a Addr) String() string { return a.Host }

// Conn is a WebSocket read and written as a byte stream: each Write is
// one binary message. It differs from a socket in two ways, both
// harmless to the thin-client protocol: Close ends the connection without
// waiting for the peer's half of the close handshake (as closing a socket
// would), and a deadline that passes during a Read or Write ends the
// connection rather than only that call. A Read or Write cut short by its
// deadline returns an error matching os.ErrDeadlineExceeded, as a
// socket's does.
//
// A Conn is safe for concurrent use as a net.Conn is: one reader and one
// writer at a time, Close and the deadline setters from anywhere.
type Conn struct {
	nc            net.Conn // websocket.NetConn
	ws            *websocket.Conn
	local, remote net.Addr
	readDeadline  atomic.Int64 // unix nanoseconds; 0: none
	writeDeadline atomic.Int64
}

// New returns ws as a byte stream. The connection lives until Close, not
// bound to any context: the caller's dial or accept context must not end
// it.
func New(ws *websocket.Conn, local, remote net.Addr) *Conn {
	// NetConn lifts the 32 KiB message read limit: it reads each message
	// as a stream, so memory stays bounded by the reader's buffer, and the
	// frame decoder bounds frames.
	return &Conn{
		nc:     websocket.NetConn(context.Background(), ws, websocket.MessageBinary),
		ws:     ws,
		local:  local,
		remote: remote,
	}
}

// Read reads from the stream of binary messages. A peer's normal close
// reads as io.EOF.
func (c *Conn) Read(p []byte) (int, error) {
	n, err := c.nc.Read(p)
	if err != nil && expired(&c.readDeadline) {
		return n, &net.OpError{Op: "read", Net: c.remote.Network(), Addr: c.remote, Err: os.ErrDeadlineExceeded}
	}
	return n, err
}

// Write writes p as one binary message.
func (c *Conn) Write(p []byte) (int, error) {
	n, err := c.nc.Write(p)
	if err != nil && expired(&c.writeDeadline) {
		return n, &net.OpError{Op: "write", Net: c.remote.Network(), Addr: c.remote, Err: os.ErrDeadlineExceeded}
	}
	return n, err
}

// Close ends the connection at once, without the close handshake. The
// second and later calls return an error.
func (c *Conn) Close() error {
	err := c.ws.CloseNow()
	c.nc.Close() // stops NetConn's deadline timers; the conn is already closed
	if err != nil {
		return fmt.Errorf("wsconn: close: %w", err)
	}
	return nil
}

// LocalAddr returns the local end's address.
func (c *Conn) LocalAddr() net.Addr { return c.local }

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.remote }

// SetDeadline sets both deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

// SetReadDeadline sets the read deadline; the zero time clears it.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.readDeadline.Store(unixNano(t))
	return c.nc.SetReadDeadline(t)
}

// SetWriteDeadline sets the write deadline; the zero time clears it.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.writeDeadline.Store(unixNano(t))
	return c.nc.SetWriteDeadline(t)
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// expired reports whether the deadline d is set and has passed.
func expired(d *atomic.Int64) bool {
	v := d.Load()
	return v != 0 && time.Now().UnixNano() >= v
}
