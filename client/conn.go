package client

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

// readBufferSize is the reader's buffer: several replies per read system
// call under load.
const readBufferSize = 64 << 10

// errShutdown ends a connection on the daemon's shutdown event.
var errShutdown = errors.New("client: daemon shut down")

// connection is one socket to the daemon, from its handshake to its end.
type connection struct {
	nc   net.Conn
	fr   *wire.Reader
	dec  wire.Decoder // the reader's: responses are valid until the next read
	d    dialect
	w    *writer
	info DaemonInfo
	dead chan struct{} // closed when the connection has ended

	// session is the daemon session this connection serves
	// (Client.session): the previous connection's while the handshake
	// may still resume it, then final before any call uses the
	// connection.
	session uint64
	// resumed: the handshake resumed the previous connection's session.
	resumed bool
}

// connect dials, checks the peer and performs the handshake.
func (c *Client) connect(ctx context.Context) (*connection, error) {
	conn, err := c.o.dialer.Dial(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.checkPeer(conn); err != nil {
		conn.Close()
		return nil, err
	}
	s, err := c.handshake(ctx, conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return s, nil
}

// aLongTimeAgo is a deadline in the past: it makes blocked reads return.
var aLongTimeAgo = time.Unix(1, 0)

// handshake reads the daemon's greeting (docs/protocol.md 3 and 8) within ctx:
// the status event, whose shape tells the generation, then the document;
// on v0.0.99 it then sends the session token and reads until the token
// reply, routing the events that come first (a resumed session's queued
// replies) to their calls.
func (c *Client) handshake(ctx context.Context, conn net.Conn) (*connection, error) {
	// The context bounds the handshake through the socket's deadline; the
	// calls made on the connection later never touch its deadlines.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(aLongTimeAgo) })
	s := &connection{
		nc:      conn,
		fr:      wire.NewReader(bufio.NewReaderSize(conn, readBufferSize), c.o.maxFrame),
		w:       newWriter(conn, &c.o),
		dead:    make(chan struct{}),
		session: c.session.Load(),
	}
	err := c.greet(s)
	if !stop() || ctx.Err() != nil {
		return nil, fmt.Errorf("client: handshake: %w", context.Cause(ctx))
	}
	if err != nil {
		return nil, err
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		return nil, err
	}
	return s, nil
}

func (c *Client) greet(s *connection) error {
	s.nc.SetReadDeadline(time.Now().Add(c.o.firstFrameTimeout))
	resp, err := c.readResponse(s)
	if err != nil {
		return handshakeErr("first frame", err)
	}
	gen := wire.DetectGeneration(resp)
	if gen == wire.GenerationUnknown {
		return fmt.Errorf("%w: the first frame is not a connection status event", ErrProtocol)
	}
	s.d = dialectFor(gen)
	s.info = DaemonInfo{Generation: gen, MaxPayload: DefaultMaxPayload}
	s.nc.SetReadDeadline(time.Now().Add(c.o.handshakeTimeout))
	c.handleStatus(s, resp.ConnectionStatus)

	if resp, err = c.readResponse(s); err != nil {
		return handshakeErr("document", err)
	}
	if resp.NewPKIDocument == nil {
		return fmt.Errorf("%w: the second frame is not a PKI document event", ErrProtocol)
	}
	c.handleDocument(resp.NewPKIDocument)

	if gen == wire.Generation99 {
		token := wire.Request99{SessionToken: &wire.SessionToken{ClientInstanceToken: &c.token}}
		if _, err := s.nc.Write(token.AppendFrame(nil)); err != nil {
			return handshakeErr("session token", err)
		}
		for {
			if resp, err = c.readResponse(s); err != nil {
				return handshakeErr("session token reply", err)
			}
			if r := resp.SessionTokenReply; r != nil {
				if r.AppID != nil {
					s.info.AppID = *r.AppID
				}
				s.info.Resumed = r.Resumed
				break
			}
			// Replies the daemon kept for a resumed session come first:
			// they are for the calls of the session being resumed.
			if err := c.dispatch(s, resp); err != nil {
				return err
			}
		}
	}
	// A v0.0.99 daemon without a document yet sends an empty one: wait,
	// within the handshake timeout, for the first real one.
	for c.doc.Load() == nil {
		if resp, err = c.readResponse(s); err != nil {
			return handshakeErr("first PKI document", err)
		}
		if err := c.dispatch(s, resp); err != nil {
			return err
		}
	}
	// The daemon session: a v0.0.99 resume continues the previous one
	// (the same daemon process, the same session); anything else starts
	// a new one, and results of the old one are refused from now on.
	prev := c.info.Load()
	s.resumed = gen == wire.Generation99 && s.info.Resumed && prev != nil &&
		prev.Generation == gen && prev.InstanceToken == s.info.InstanceToken
	if !s.resumed {
		s.session = c.session.Add(1)
	}
	c.info.Store(&s.info)
	return nil
}

// handshakeErr names what the handshake waited for when err ended it.
func handshakeErr(waiting string, err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("%w (waiting for the %s)", ErrHandshakeTimeout, waiting)
	}
	if errors.Is(err, ErrProtocol) {
		return err
	}
	return fmt.Errorf("%w: handshake (waiting for the %s): %w", ErrConnectionLost, waiting, err)
}

// readResponse reads and decodes one frame. The response is valid until
// the next call, and so are reply payloads: they are views into the
// frame, copied by the handler that keeps one.
func (c *Client) readResponse(s *connection) (*wire.Response, error) {
	body, err := s.fr.ReadFrame()
	if err != nil {
		if errors.Is(err, wire.ErrFrameTooLarge) {
			return nil, fmt.Errorf("%w: %w", ErrProtocol, err)
		}
		return nil, err
	}
	resp, err := s.dec.DecodeShared(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	return resp, nil
}

// readLoop is the connection's reader: it decodes every frame and
// dispatches it, until the connection ends.
func (c *Client) readLoop(s *connection) error {
	for {
		resp, err := c.readResponse(s)
		if err != nil {
			return err
		}
		if err := c.dispatch(s, resp); err != nil {
			return err
		}
	}
}
