package mock

import (
	"fmt"

	"github.com/katzenthin/katzenthin/wire"
)

// handle99 handles one v0.0.99 request and reports whether the
// connection has ended. The v0.0.99 daemon validates sends and answers a
// bad one with an error code; it drops a request with no operation it
// knows (a v0.0.47 flat request decodes as one) without reply or close.
// req's byte slices other than the payload may be views of body (see
// requestDecoder).
func (c *conn) handle99(body []byte, dec *requestDecoder, req *wire.Request99) bool {
	d := c.d
	if err := dec.decode99(body, req); err != nil {
		// Guess: the daemon's reader fails on a frame it cannot decode
		// and drops the connection.
		return c.violate(fmt.Sprintf("frame does not decode as a request: %v", err))
	}
	if n := req.Ops(); n > 1 {
		// Guess: the daemon dispatches on the first operation it checks;
		// the mock checks them in envelope order.
		d.log.Warn("mock: request with several operations; handling the first", "app", c.appID().String(), "operations", n)
	}
	switch {
	case req.SessionToken != nil:
		c.logRequest("session_token")
		c.sessionToken(req.SessionToken)
	case req.ThinClose != nil:
		c.logRequest("thin_close")
		d.counters.thinCloses.Add(1)
		c.end(endThinClose)
		return true
	case req.SendMessage != nil:
		c.sendMessage(req.SendMessage)
	case req.GetPKIDocument != nil:
		c.logRequest("get_pki_document")
		c.getPKIDocument(req.GetPKIDocument)
	default:
		if isStart(req) && !c.acquireStartSlot() {
			return true // ended while the reader waited for a slot
		}
		if handled, stop := c.handlePigeonhole(req); handled {
			return stop
		}
		d.counters.ignored.Add(1)
		d.log.Warn("mock: dropping request with no recognised operation (a v0.0.47 client?)", "app", c.appID().String())
	}
	return false
}

// sendMessage handles send_message. Refusals are answered at once with a
// message_reply_event carrying an error code and a null payload, without
// a sent event. The codes are guesses (the capture has no refusal): 3
// (invalid request) for a bad destination, queue or missing SURB ID, 27
// (payload too large) for a payload over the limit.
func (c *conn) sendMessage(m *wire.SendMessage) {
	d := c.d
	code := wire.ErrorCodeSuccess
	switch {
	case len(m.DestinationIDHash) != 32,
		len(m.RecipientQueueID) == 0 || len(m.RecipientQueueID) > maxQueueLength,
		m.WithSURB && m.SURBID == nil:
		code = wire.ErrorCodeInvalidRequest
	case len(m.Payload) > d.opts.maxPayload:
		code = wire.ErrorCodePayloadTooLarge
	}
	if code != wire.ErrorCodeSuccess {
		c.logRequest("send_message_refused")
		d.counters.refused.Add(1)
		ev := event{kind: evReply, code: code}
		if m.ID != nil {
			ev.hasMsgID, ev.msgID = true, *m.ID
		}
		if m.SURBID != nil {
			ev.hasSURB, ev.surbID = true, *m.SURBID
		}
		c.sendEvent(&ev)
		return
	}
	if !m.WithSURB {
		// Accepted, no event; the daemon leaves out the payload header
		// without a SURB, so the service node drops the message.
		c.logRequest("send_message_nosurb")
		d.counters.noReplySends.Add(1)
		return
	}
	c.logRequest("send_message")
	h := d.state.Load().routes.lookup(m.DestinationIDHash, m.RecipientQueueID)
	c.surbSend(m.ID, *m.SURBID, h, m.Payload)
}

// getPKIDocument answers get_pki_document with the signed certificate of
// the asked epoch's document (0: the current one), or error code 10
// (service unavailable) and a null payload for an epoch the daemon has no
// document for. The reply repeats the asked epoch in that case (a guess).
func (c *conn) getPKIDocument(q *wire.GetPKIDocument) {
	d := c.d
	d.counters.documentQueries.Add(1)
	reply := wire.GetPKIDocumentReply{QueryID: q.QueryID, Epoch: q.Epoch}
	if st := d.documentFor(q.Epoch); st != nil {
		reply.Payload = st.cert
		reply.Epoch = st.doc.Epoch
	} else {
		reply.ErrorCode = wire.ErrorCodeServiceUnavailable
	}
	c.sendResponse(&wire.Response{GetPKIDocumentReply: &reply})
}
