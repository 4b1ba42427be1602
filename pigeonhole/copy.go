package pigeonhole

import (
	"context"
	"fmt"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/wire"
)

// Copy commands (docs/protocol.md 9.6.6-7, 9.6.10-12, 9.10 b): a payload
// larger than a box is cut by the daemon into copy-stream elements, the
// application writes them into the boxes of a temporary stream, and one
// copy command has a courier write every destination box. Writer.WriteLarge
// does all of it.

// CopyStream is what a copy-stream builder returns: the elements to
// write, one per box of the temporary stream, in order; the partial last
// element to pass to the next call of a stream that is not finished
// (multi-payload and tombstone-range builders); and, per destination, the
// index after the last destination box.
type CopyStream struct {
	Elements [][]byte
	Buffer   []byte
	Next     []MessageBoxIndex
}

// Destination is one destination stream of a multi-payload copy: Payload
// is written into consecutive boxes of WriteCap's stream from Start.
type Destination struct {
	Payload  []byte
	WriteCap *WriteCap
	Start    *MessageBoxIndex
}

// EnvelopesFromPayload cuts payload (at most MaxPayload bytes) into
// copy-stream elements that write consecutive boxes of dest from start.
// first sets the start flag on the first element, last the final flag on
// the last one; a payload sent in one call sets both. Each call flushes:
// no Buffer is returned. An empty payload yields no elements.
func (p *Client) EnvelopesFromPayload(ctx context.Context, dest *WriteCap, start *MessageBoxIndex, payload []byte, first, last bool) (CopyStream, error) {
	if dest == nil || start == nil {
		return CopyStream{}, errNilPointer("write cap or start index")
	}
	if len(payload) > MaxPayload {
		return CopyStream{}, &SizeError{What: "payload", Got: len(payload), Max: MaxPayload}
	}
	if payload == nil {
		payload = []byte{}
	}
	req := &wire.Request99{CreateCourierEnvelopesFromPayload: &wire.CreateCourierEnvelopesFromPayload{
		Payload: payload, DestWriteCap: dest[:], DestStartIndex: start[:], IsStart: first, IsLast: last,
	}}
	resp, err := p.query(ctx, req, client.QueryOptions{})
	if err != nil {
		return CopyStream{}, err
	}
	rep := resp.CreateCourierEnvelopesFromPayloadReply
	return copyStream("create_courier_envelopes_from_payload", rep.ErrorCode, rep.Envelopes, nil, [][]byte{rep.NextDestIndex})
}

// EnvelopesFromMultiPayload packs several destinations into one copy
// stream. buffer is nil on the first call and the previous call's Buffer
// after; last flushes the buffer and sets the final flag. Next has one
// index per destination, in order.
func (p *Client) EnvelopesFromMultiPayload(ctx context.Context, dests []Destination, first, last bool, buffer []byte) (CopyStream, error) {
	if len(dests) == 0 {
		return CopyStream{}, fmt.Errorf("%w: no destinations", ErrInvalidRequest)
	}
	wd := make([]wire.CourierDestination, len(dests))
	for i, d := range dests {
		if d.WriteCap == nil || d.Start == nil {
			return CopyStream{}, fmt.Errorf("%w: destination %d without a write cap or start index", ErrInvalidRequest, i)
		}
		if len(d.Payload) > MaxPayload {
			return CopyStream{}, &SizeError{What: "payload", Got: len(d.Payload), Max: MaxPayload}
		}
		pl := d.Payload
		if pl == nil {
			pl = []byte{}
		}
		wd[i] = wire.CourierDestination{Payload: pl, WriteCap: d.WriteCap[:], StartIndex: d.Start[:]}
	}
	req := &wire.Request99{CreateCourierEnvelopesFromMultiPayload: &wire.CreateCourierEnvelopesFromMultiPayload{
		Destinations: wd, IsStart: first, IsLast: last, Buffer: buffer,
	}}
	resp, err := p.query(ctx, req, client.QueryOptions{})
	if err != nil {
		return CopyStream{}, err
	}
	rep := resp.CreateCourierEnvelopesFromMultiPayloadReply
	cs, err := copyStream("create_courier_envelopes_from_multi_payload", rep.ErrorCode, rep.Envelopes, rep.Buffer, rep.NextDestIndices)
	if err == nil && len(cs.Next) != len(dests) {
		return CopyStream{}, callError("create_courier_envelopes_from_multi_payload",
			fmt.Errorf("%w: %d next indices for %d destinations", ErrMalformedReply, len(cs.Next), len(dests)))
	}
	return cs, err
}

// EnvelopesFromTombstoneRange builds copy-stream elements that tombstone
// count boxes of dest from start; first, last and buffer as for
// EnvelopesFromMultiPayload. A count of 0 gives no elements, drops the
// buffer and returns start as the next index.
func (p *Client) EnvelopesFromTombstoneRange(ctx context.Context, dest *WriteCap, start *MessageBoxIndex, count uint32, first, last bool, buffer []byte) (CopyStream, error) {
	if dest == nil || start == nil {
		return CopyStream{}, errNilPointer("write cap or start index")
	}
	req := &wire.Request99{CreateCourierEnvelopesFromTombstoneRange: &wire.CreateCourierEnvelopesFromTombstoneRange{
		DestWriteCap: dest[:], DestStartIndex: start[:], MaxCount: count, IsStart: first, IsLast: last, Buffer: buffer,
	}}
	resp, err := p.query(ctx, req, client.QueryOptions{})
	if err != nil {
		return CopyStream{}, err
	}
	rep := resp.CreateCourierEnvelopesFromTombstoneRangeReply
	return copyStream("create_courier_envelopes_from_tombstone_range", rep.ErrorCode, rep.Envelopes, rep.Buffer, [][]byte{rep.NextDestIndex})
}

func copyStream(call string, code wire.ErrorCode, elements [][]byte, buffer []byte, next [][]byte) (CopyStream, error) {
	if err := LocalError(code); err != nil {
		return CopyStream{}, callError(call, err)
	}
	cs := CopyStream{Elements: elements, Buffer: buffer, Next: make([]MessageBoxIndex, len(next))}
	for i, n := range next {
		if err := fixed(cs.Next[i][:], n, "next destination index"); err != nil {
			return CopyStream{}, callError(call, err)
		}
	}
	for i, e := range elements {
		if len(e) == 0 {
			return CopyStream{}, callError(call, fmt.Errorf("%w: empty element %d", ErrMalformedReply, i))
		}
	}
	return cs, nil
}

// Courier names a courier (docs/protocol.md 9.9): BLAKE2b-256 of its identity
// key and its queue ID.
type Courier struct {
	IdentityHash [32]byte
	QueueID      []byte
}

// Copy runs a copy command: a courier reads the copy stream written into
// the temporary stream of temp (from its first box up to the element with
// the final flag) and writes every destination box; Copy returns when it
// has. temp's embedded index must be the stream's first box, as
// NewKeypair returns it. A failed copy is an *Error matching
// ErrCopyFailed, with the replica's code and the failing envelope's
// position; the envelopes before it stay written, and running the same
// copy again is safe. When ctx ends the client sends
// cancel_resending_copy_command with temp.Hash() and Copy returns ctx's
// error; this only stops the daemon's polling, a copy the courier has
// accepted goes on.
func (p *Client) Copy(ctx context.Context, temp *WriteCap) error {
	return p.copyVia(ctx, temp, nil)
}

// CopyVia is Copy through a chosen courier (for nested copies).
func (p *Client) CopyVia(ctx context.Context, temp *WriteCap, courier Courier) error {
	if len(courier.QueueID) == 0 {
		return fmt.Errorf("%w: courier without a queue ID", ErrInvalidRequest)
	}
	return p.copyVia(ctx, temp, &courier)
}

// CancelCopy stops the daemon's polling of the copy command whose
// temporary write cap hashes to writeCapHash (WriteCap.Hash), wherever it
// was started; Copy sends it itself when its context ends. It succeeds
// too when no such copy runs.
func (p *Client) CancelCopy(ctx context.Context, writeCapHash [32]byte) error {
	req := &wire.Request99{CancelResendingCopyCommand: &wire.CancelResendingCopyCommand{WriteCapHash: writeCapHash[:]}}
	resp, err := p.query(ctx, req, client.QueryOptions{})
	if err != nil {
		return err
	}
	return callError("cancel_resending_copy_command", LocalError(resp.CancelResendingCopyCommandReply.ErrorCode))
}

func (p *Client) copyVia(ctx context.Context, temp *WriteCap, courier *Courier) error {
	if temp == nil {
		return errNilPointer("write cap")
	}
	m := &wire.StartResendingCopyCommand{WriteCap: temp[:]}
	if courier != nil {
		m.CourierIdentityHash, m.CourierQueueID = courier.IdentityHash[:], courier.QueueID
	}
	h := temp.Hash()
	cancel := &wire.Request99{CancelResendingCopyCommand: &wire.CancelResendingCopyCommand{WriteCapHash: h[:]}}
	resp, err := p.query(ctx, &wire.Request99{StartResendingCopyCommand: m}, client.QueryOptions{Start: true, Cancel: cancel})
	if err != nil {
		return err
	}
	rep := resp.StartResendingCopyCommandReply
	return callError("copy command", CopyError(rep.ErrorCode, rep.ReplicaErrorCode, rep.FailedEnvelopeIndex))
}
