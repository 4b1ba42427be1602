package client

import (
	"context"
	"fmt"

	"github.com/katzenthin/katzenthin/service"
)

// Send sends payload to dst with a SURB and blocks until the reply comes
// or ctx ends. The reply carries the sent event's SentAt and ETA when that
// came first. Send copies what it needs of payload before it returns: the
// caller may reuse it at once.
//
// The mixnet loses packets silently: without a deadline on ctx, a lost
// reply blocks Send until the connection ends. Send fails at once with
// ErrInvalidRequest for a bad destination or a payload over the limit,
// with ErrOffline while the daemon reports no mixnet connection, with
// ErrSendFailed when the daemon reports the send failed, and with
// ErrConnectionLost when the connection breaks after the request may have
// reached the daemon (the outcome is unknown: the SURB died with the
// daemon's state). A request that provably never reached the daemon is
// sent again on the next connection. On a v0.0.99 daemon that resumes the
// session, a Send whose sent event came keeps waiting for its reply
// across the reconnection; one whose sent event did not come ends with
// ErrConnectionLost.
//
// While no daemon connection exists, Send waits for one within ctx
// (see WithWaitForReady); its error then also matches ErrDaemonUnavailable.
func (c *Client) Send(ctx context.Context, dst service.Destination, payload []byte) (Reply, error) {
	return c.roundTrip(ctx, kindSURB, dst, payload, nil)
}

// SendReliable sends payload to dst with automatic retransmission and
// blocks until a reply comes, retransmissions run out
// (ErrRetransmissionsExhausted), or ctx ends. A v0.0.47 daemon runs the
// retransmissions itself; for v0.0.99, which no longer does, the client
// retransmits with a fresh SURB when a transmission passes the daemon's
// reply horizon (sent_at + ETA + (2 x layers + 3) x 500 ms, see
// WithRetransmission), and takes the first reply to any transmission.
//
// Delivery is at least once: after a lost connection the message is sent
// again with the same message ID (v0.0.47) or a new transmission (v0.0.99
// without a resumed session, or one whose sent event did not come), so
// the service may see it twice. Reply.MessageID, and the message ID of the
// call's events, is the same on every transmission. SendReliable copies
// what it needs of payload: the caller may reuse it once the call returns.
func (c *Client) SendReliable(ctx context.Context, dst service.Destination, payload []byte) (Reply, error) {
	return c.roundTrip(ctx, kindReliable, dst, payload, nil)
}

// SendNoReply sends payload to dst without waiting for an answer: it
// returns once the request is written to the daemon's socket (the daemon
// acknowledges nothing). On v0.0.99 daemons, which lose sends without a
// SURB, the message goes with a SURB and its reply is discarded. If the
// connection breaks while the request is being written, SendNoReply
// returns ErrConnectionLost: the daemon may or may not have it.
func (c *Client) SendNoReply(ctx context.Context, dst service.Destination, payload []byte) error {
	_, err := c.roundTrip(ctx, kindNoReply, dst, payload, nil)
	return err
}

// SendAppend is Send with the reply's payload appended to buf, as
// strconv.AppendInt appends: Reply.Payload is the extended slice, sharing
// buf's memory when it has room. Every reply comes padded to the reply
// packet's size (2,574 bytes in the captured networks), so at high call
// rates the payload Send allocates for each reply is most of what the
// garbage collector has to do; a caller that passes the same buffer again
// (buf[:0] of its previous reply, once done with it) saves that
// allocation. Everything else is as for Send.
func (c *Client) SendAppend(ctx context.Context, buf []byte, dst service.Destination, payload []byte) (Reply, error) {
	return c.roundTrip(ctx, kindSURB, dst, payload, buf)
}

// roundTrip makes one send; a reply's payload is appended to into (nil:
// a fresh slice).
func (c *Client) roundTrip(ctx context.Context, kind callKind, dst service.Destination, payload, into []byte) (Reply, error) {
	cl := newCall(kind)
	cl.dst, cl.payload, cl.into = dst, payload, into
	err := c.do(ctx, cl, nil)
	return cl.reply, err
}

// validate refuses what the daemon would choke on (docs/protocol.md 4).
func (c *Client) validate(dst *service.Destination, payload []byte) error {
	if err := dst.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	}
	if limit := c.info.Load().MaxPayload; len(payload) > limit {
		return invalid("payload of %d bytes is over the %d-byte limit", len(payload), limit)
	}
	return nil
}
