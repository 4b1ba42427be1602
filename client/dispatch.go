package client

import (
	"errors"
	"fmt"

	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

// dispatch handles one response, which may live in the decoder's scratch
// space: nothing here keeps a pointer into it. It returns an error only when the
// connection must end: a shutdown event, or a frame with several events.
// It never blocks: results go to buffered futures, events to subscribers
// that drop what they cannot hold.
func (c *Client) dispatch(s *connection, resp *wire.Response) error {
	ev, err := resp.Event()
	switch {
	case errors.Is(err, wire.ErrNoEvent):
		// A newer daemon's event: not ours to understand.
		if c.debug {
			c.log.Debug("ignoring a response with no known event")
		}
		return nil
	case err != nil:
		return fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	switch ev := ev.(type) {
	case *wire.ConnectionStatusEvent:
		c.handleStatus(s, ev)
	case *wire.NewPKIDocumentEvent:
		c.handleDocument(ev)
	case *wire.MessageSentEvent:
		c.handleMessageSent(s, ev)
	case *wire.MessageReplyEvent:
		c.handleMessageReply(s, ev)
	case *wire.MessageIDGarbageCollected:
		if ev.MessageID != nil && c.subs.active() {
			c.subs.publish(&MessageIDGarbageCollected{MessageID: *ev.MessageID})
		}
	case *wire.ShutdownEvent:
		c.subs.publish(&Shutdown{})
		return errShutdown
	case *wire.SessionTokenReply:
		// Only meaningful during the handshake.
	default:
		if kind, qid := resp.QueryReply(); kind != wire.ReplyNone {
			c.handleQueryReply(s, resp, kind, qid)
		}
	}
	return nil
}

func (c *Client) handleStatus(s *connection, ev *wire.ConnectionStatusEvent) {
	c.online.Store(ev.IsConnected)
	if ev.InstanceToken != nil {
		s.info.InstanceToken = *ev.InstanceToken
	}
	if g := ev.SphinxGeometry; g != nil {
		s.info.Geometry = g
	}
	if g := ev.PigeonholeGeometry; g != nil {
		s.info.PigeonholeGeometry = g
	}
	s.info.MaxPayload = c.maxPayloadFor(s.info.Geometry)
	if c.info.Load() != nil && c.conn.Load().cur == s {
		info := s.info
		c.info.Store(&info)
	}
	if c.debug {
		c.log.Debug("daemon status", "connected", ev.IsConnected, "err", ev.Err != nil)
	}
	var err error
	if ev.Err != nil {
		err = ev.Err
	}
	c.subs.publish(&ConnectionStatus{Connected: ev.IsConnected, Err: err})
}

// maxPayloadFor is the payload limit: WithMaxPayload, else the daemon's
// geometry, else DefaultMaxPayload.
func (c *Client) maxPayloadFor(g *wire.SphinxGeometry) int {
	switch {
	case c.o.maxPayload > 0:
		return c.o.maxPayload
	case g != nil && g.UserForwardPayloadLength > 0:
		return g.UserForwardPayloadLength
	default:
		return DefaultMaxPayload
	}
}

func (c *Client) handleDocument(ev *wire.NewPKIDocumentEvent) {
	if len(ev.Payload) == 0 {
		return // v0.0.99 before it has a document
	}
	doc, err := pki.Parse(ev.Payload)
	if err != nil {
		c.log.Warn("daemon sent a PKI document that does not parse; keeping the previous one", "err", err)
		c.subs.publish(&DocumentError{Err: err})
		return
	}
	c.doc.Store(doc)
	if c.debug {
		c.log.Debug("new PKI document", "epoch", doc.Epoch)
	}
	c.subs.publish(&NewDocument{Document: doc})
}
