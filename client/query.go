package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

// MaxStartsInFlight is how many Pigeonhole start_* requests a client
// keeps outstanding on its connection (docs/protocol.md 9.7): the daemon
// queues 16 and stops reading the connection at the 17th, cancels
// included. Further Query calls with QueryOptions.Start wait in the
// client, within their context.
const MaxStartsInFlight = 16

// QueryOptions says how Query treats a request.
type QueryOptions struct {
	// Start marks a start_* request, answered only when the daemon's
	// resending ends: it takes one of the MaxStartsInFlight slots.
	Start bool
	// Cancel, for a start_* request, is the request that stops it
	// (cancel_resending_*). When the caller's context ends after the
	// start was written, Query sends it with a fresh query ID (after the
	// next handshake if the connection is down) and absorbs the late
	// replies. Query sets its query ID.
	Cancel *wire.Request99
}

// queryCall is what a kindQuery call sends.
type queryCall struct {
	name   string // the request's name, for errors and the tracer
	req    *wire.Request99
	frame  []byte // req's frame, encoded once its query ID is set
	start  bool   // QueryOptions.Start
	cancel *wire.Request99
	expect wire.ReplyKind
	resp   wire.Response // the reply, set by the reader on the move to stDone
	epoch  uint64        // DocumentForEpoch's epoch, for the tracer
}

// Query sends req, a v0.0.99 request carrying a query ID (docs/protocol.md
// 8 and 9), and blocks until its reply comes or ctx ends. It is the
// building block of DocumentForEpoch and of package pigeonhole; most
// applications use those instead.
//
// Query sets req's query ID (a fresh random one) and must be the only user
// of req until it returns. It matches the reply by query ID and type: a
// reply of another type for the same ID is dropped and counted
// (Stats.WrongReplies). The reply is returned as decoded, whatever its
// error code: interpreting the code is the caller's business.
//
// A request that got no reply when the connection broke is asked again,
// unchanged and with the same query ID, after the next handshake, resumed
// or not: the daemon does not keep query replies for a session that is
// away (docs/protocol.md 8 and 9.8). A v0.0.47 daemon has no queries:
// Query fails with ErrUnsupported. Unlike sends, queries go out while the
// daemon reports itself offline: local requests are answered anyway and
// the daemon holds mixnet ones until it is back.
func (c *Client) Query(ctx context.Context, req *wire.Request99, o QueryOptions) (*wire.Response, error) {
	cl, err := newQuery(req, o)
	if err != nil {
		return nil, err
	}
	if err := c.do(ctx, cl, nil); err != nil {
		return nil, err
	}
	return &cl.query.resp, nil
}

// newQuery makes the call of a Query.
func newQuery(req *wire.Request99, o QueryOptions) (*call, error) {
	expect := req.ExpectedReply()
	if expect == wire.ReplyNone || req.Ops() != 1 {
		return nil, invalid("a query must carry exactly one operation that has a query ID")
	}
	cl := newCall(kindQuery)
	cl.query = &queryCall{name: req.OperationName(), req: req, start: o.Start, cancel: o.Cancel, expect: expect}
	return cl, nil
}

// sendCancel sends q's cancel request on the live connection, or after
// the next handshake when there is none, and keeps it until its reply.
func (c *Client) sendCancel(q *queryCall) {
	id := wire.NewQueryID()
	q.cancel.SetQueryID(id)
	frame := q.cancel.AppendFrame(nil)
	c.cancelsMu.Lock()
	defer c.cancelsMu.Unlock()
	if c.cancels == nil {
		c.cancels = make(map[wire.QueryID][]byte)
	}
	c.cancels[id] = frame
	if s := c.conn.Load().cur; s != nil {
		s.w.enqueueControl(frame)
	}
}

// cancelAnswered forgets the cancel of query ID id: the daemon has it.
// It reports whether id was a cancel's.
func (c *Client) cancelAnswered(id wire.QueryID) bool {
	c.cancelsMu.Lock()
	defer c.cancelsMu.Unlock()
	_, ok := c.cancels[id]
	delete(c.cancels, id)
	return ok
}

// installWithCancels queues every cancel not answered yet on s (those
// that waited for a connection and those the previous connection may
// have lost), then installs s. The cancels go first, before any caller
// can queue on s, so that a start's slot at the daemon is freed by its
// cancel before the start that took its slot in the client arrives
// (docs/protocol.md 9.7); and a cancel owed meanwhile (sendCancel holds
// the same lock) is queued either here or there, never nowhere.
func (c *Client) installWithCancels(s *connection) bool {
	c.cancelsMu.Lock()
	defer c.cancelsMu.Unlock()
	for _, f := range c.cancels {
		s.w.enqueueControl(f)
	}
	return c.install(s)
}

// DocumentForEpoch returns the PKI document of epoch (0: the current one).
// A v0.0.99 daemon is asked for it; the signed certificate it answers with
// is unwrapped without checking its signatures, which is the daemon's
// business. A v0.0.47 daemon cannot be asked: the current document is
// returned for epoch 0 or the current epoch, ErrUnsupported otherwise.
// The request survives a v0.0.99 reconnection: it is asked again.
func (c *Client) DocumentForEpoch(ctx context.Context, epoch uint64) (*pki.Document, error) {
	cl, err := newQuery(&wire.Request99{GetPKIDocument: &wire.GetPKIDocument{Epoch: epoch}}, QueryOptions{})
	if err != nil {
		return nil, err
	}
	cl.query.epoch = epoch
	var doc *pki.Document
	err = c.do(ctx, cl, func(err error) error {
		if errors.Is(err, ErrUnsupported) {
			cur := c.Document()
			if epoch == 0 || epoch == cur.Epoch {
				doc = cur
				return nil
			}
			return fmt.Errorf("%w: a %s daemon serves only the current document (epoch %d), not epoch %d",
				ErrUnsupported, c.Daemon().Generation, cur.Epoch, epoch)
		}
		if err != nil {
			return err
		}
		r := cl.query.resp.GetPKIDocumentReply
		if r.ErrorCode != wire.ErrorCodeSuccess {
			return fmt.Errorf("client: document for epoch %d: %w", epoch, codeError(r.ErrorCode))
		}
		doc, err = pki.ParseCertificate(r.Payload)
		return err
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}
