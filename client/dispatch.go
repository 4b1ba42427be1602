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
func (c *Client) dispatch(s *session, resp *wire.Response) error {
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
		c.handleMessageSent(ev)
	case *wire.MessageReplyEvent:
		c.handleMessageReply(ev)
	case *wire.MessageIDGarbageCollected:
		if ev.MessageID != nil && c.subs.active() {
			c.subs.publish(&MessageIDGarbageCollected{MessageID: *ev.MessageID})
		}
	case *wire.GetPKIDocumentReply:
		c.handleDocumentReply(ev)
	case *wire.ShutdownEvent:
		c.subs.publish(&Shutdown{})
		return errShutdown
	case *wire.SessionTokenReply:
		// Only meaningful during the handshake.
	}
	return nil
}

func (c *Client) handleStatus(s *session, ev *wire.ConnectionStatusEvent) {
	c.online.Store(ev.IsConnected)
	if ev.InstanceToken != nil {
		s.info.InstanceToken = *ev.InstanceToken
	}
	if g := ev.SphinxGeometry; g != nil {
		s.info.Geometry = g
	}
	s.info.MaxPayload = c.maxPayloadFor(s.info.Geometry)
	if c.info.Load() != nil && c.conn.Load().sess == s {
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

// eventKey is the future an event belongs to: ARQ events carry the
// request's message ID (their SURB ID is the daemon's), SURB events
// their SURB ID.
func eventKey(m *wire.MessageID, s *wire.SURBID) (futureKey, bool) {
	switch {
	case m != nil:
		return *m, true
	case s != nil:
		return *s, true
	default:
		return futureKey{}, false
	}
}

func (c *Client) handleMessageSent(ev *wire.MessageSentEvent) {
	k, ok := eventKey(ev.MessageID, ev.SURBID)
	if c.debug {
		c.log.Debug("message sent", "id", fmt.Sprintf("%x", k), "eta", ev.ReplyETA, "failed", ev.Err != nil)
	}
	if c.subs.active() {
		out := &MessageSent{SentAt: ev.SentAt, ETA: ev.ReplyETA}
		if ev.MessageID != nil {
			out.MessageID = *ev.MessageID
		}
		if ev.SURBID != nil {
			out.SURBID = *ev.SURBID
		}
		if ev.Err != nil {
			// A copy: ev lives in the decoder's scratch space.
			out.Err = &DaemonError{Text: ev.Err.Text, Kind: ErrSendFailed}
		}
		c.subs.publish(out)
	}
	if !ok {
		return
	}
	if ev.Err != nil {
		// The send failed inside the daemon: no reply can come.
		if cl, _, _ := c.fut.take(k); cl != nil {
			cl.deliver(result{err: &DaemonError{Text: ev.Err.Text, Kind: ErrSendFailed}})
		}
		return
	}
	if cl := c.fut.sent(k, ev.SentAt, ev.ReplyETA); cl != nil && cl.notifySent {
		r := result{kind: resultSent, reply: Reply{SentAt: ev.SentAt, ETA: ev.ReplyETA}}
		if ev.SURBID != nil {
			r.reply.SURBID = *ev.SURBID
		}
		cl.deliver(r)
	}
}

func (c *Client) handleMessageReply(ev *wire.MessageReplyEvent) {
	k, ok := eventKey(ev.MessageID, ev.SURBID)
	if c.debug {
		c.log.Debug("message reply", "id", fmt.Sprintf("%x", k), "bytes", len(ev.Payload), "failed", ev.Err != nil || ev.ErrorCode != 0)
	}
	var reply Reply
	reply.Payload = ev.Payload
	if ev.SURBID != nil {
		reply.SURBID = *ev.SURBID
	}
	if ev.MessageID != nil {
		reply.MessageID = *ev.MessageID
	}
	var err error
	switch {
	case ev.Err != nil && ev.MessageID != nil:
		err = &DaemonError{Text: ev.Err.Text, Kind: ErrRetransmissionsExhausted}
	case ev.Err != nil:
		err = &DaemonError{Text: ev.Err.Text, Kind: ErrSendFailed}
	case ev.ErrorCode != wire.ErrorCodeSuccess:
		err = codeError(ev.ErrorCode)
	}
	if c.subs.active() {
		c.subs.publish(&MessageReply{
			MessageID: reply.MessageID, SURBID: reply.SURBID, Err: err,
			Payload: append([]byte(nil), ev.Payload...), // the caller owns the original
		})
	}
	if !ok {
		return
	}
	cl, sentAt, eta := c.fut.take(k)
	if cl == nil {
		return // cancelled, timed out, duplicate or unknown: counted by take
	}
	reply.SentAt, reply.ETA = sentAt, eta
	cl.deliver(result{reply: reply, err: err})
}

func (c *Client) handleDocumentReply(ev *wire.GetPKIDocumentReply) {
	if ev.QueryID == nil {
		return
	}
	cl, _, _ := c.fut.take(*ev.QueryID)
	if cl == nil {
		return
	}
	var err error
	if ev.ErrorCode != wire.ErrorCodeSuccess {
		err = codeError(ev.ErrorCode)
	}
	cl.deliver(result{payload: ev.Payload, err: err})
}
