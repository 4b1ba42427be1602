package client

import (
	"github.com/katzenthin/katzenthin/service"
	"github.com/katzenthin/katzenthin/wire"
)

// sendOp is one send, whatever the dialect, and the space its request is
// built in. The writer keeps one and reuses it for every frame: the
// v0.0.99 encoder walks a request's operations through an interface, so
// a request built on the stack would escape to the heap.
type sendOp struct {
	kind    callKind // kindSURB, kindReliable (ARQ by the daemon) or kindNoReply
	id      futureKey
	dst     *service.Destination
	payload []byte

	hash [32]byte
	m    wire.SendMessage
	r    wire.Request99
}

// dialect is everything that differs between daemon generations, chosen
// once per connection from the daemon's first frame. The rest of the
// client does not branch on the generation.
type dialect interface {
	generation() wire.Generation
	// appendSend appends op's request frame to dst.
	appendSend(dst []byte, op *sendOp) []byte
	// appendClose appends the thin-close frame.
	appendClose(dst []byte) []byte
	// daemonRetransmits says whether the daemon runs ARQ for reliable
	// sends (v0.0.47) or the client must (v0.0.99).
	daemonRetransmits() bool
	// resumes says whether sessions survive a reconnect (v0.0.99 with a
	// session token): pending calls are then kept across it.
	resumes() bool
	// hasQueries says whether the daemon takes requests with query IDs.
	hasQueries() bool
}

func dialectFor(g wire.Generation) dialect {
	if g == wire.Generation99 {
		return dialect99{}
	}
	return dialect47{}
}

// dialect47 speaks to kpclientd v0.0.47: flat requests with flags.
type dialect47 struct{}

func (dialect47) generation() wire.Generation { return wire.Generation47 }
func (dialect47) daemonRetransmits() bool     { return true }
func (dialect47) resumes() bool               { return false }
func (dialect47) hasQueries() bool            { return false }

func (dialect47) appendSend(dst []byte, op *sendOp) []byte {
	r := wire.Request{
		DestinationIDHash: op.dst.NodeHash[:],
		RecipientQueueID:  op.dst.Queue,
		Payload:           nonNil(op.payload),
	}
	switch op.kind {
	case kindReliable:
		// ARQ: the daemon picks the SURB ID of every transmission.
		r.IsARQSendOp, r.WithSURB = true, true
		r.ID = (*wire.MessageID)(&op.id)
	case kindNoReply:
		// A random SURB ID even without a SURB: v0.0.47 dereferences it
		// for every send and crashes on null (docs/protocol.md 4).
		r.IsSendOp = true
		r.SURBID = (*wire.SURBID)(&op.id)
	default:
		r.IsSendOp, r.WithSURB = true, true
		r.SURBID = (*wire.SURBID)(&op.id)
	}
	return r.AppendFrame(dst)
}

func (dialect47) appendClose(dst []byte) []byte {
	r := wire.Request{IsThinClose: true}
	return r.AppendFrame(dst)
}

// dialect99 speaks to kpclientd v0.0.99: one operation per request.
type dialect99 struct{}

func (dialect99) generation() wire.Generation { return wire.Generation99 }
func (dialect99) daemonRetransmits() bool     { return false }
func (dialect99) resumes() bool               { return true }
func (dialect99) hasQueries() bool            { return true }

func (dialect99) appendSend(dst []byte, op *sendOp) []byte {
	// Every send carries a SURB: without one the v0.0.99 daemon omits the
	// payload header and the service node drops the packet. A no-reply
	// send's reply is discarded on arrival.
	op.hash = op.dst.NodeHash
	op.m = wire.SendMessage{
		WithSURB:          true,
		SURBID:            (*wire.SURBID)(&op.id),
		DestinationIDHash: op.hash[:],
		RecipientQueueID:  op.dst.Queue,
		Payload:           nonNil(op.payload),
	}
	op.r = wire.Request99{SendMessage: &op.m}
	dst = op.r.AppendFrame(dst)
	op.m, op.r = wire.SendMessage{}, wire.Request99{} // keep no caller memory
	return dst
}

func (dialect99) appendClose(dst []byte) []byte {
	r := wire.Request99{ThinClose: &wire.ThinClose{}}
	return r.AppendFrame(dst)
}

// nonNil turns a nil payload into an empty one, so that the daemon gets a
// byte string, never null.
func nonNil(b []byte) []byte {
	if b == nil {
		return emptyPayload
	}
	return b
}

// emptyPayload is the one empty payload; nothing writes to it.
var emptyPayload = []byte{}
