package storage

import (
	"encoding/binary"

	"github.com/katzenthin/katzenthin/wire"
)

// Copy streams (docs/protocol.md 9.3, 9.6.10-12, 9.6.6). A copy stream is a
// sequence of serialized destination envelopes (here 2003 bytes each, as
// measured: uint32 BE length ‖ the head of a courier query the mock
// made, which names its envelope), cut into elements of at most
// MaxPlaintextPayloadLength bytes: flags (bit 0 start, bit 1 final) ‖
// uint32 BE length ‖ bytes. Each element fits one box of the temporary
// stream; the copy command reads them back from the stream's first box
// until the final flag and writes every destination box.

// destRecords appends to stream one envelope per chunk of payload, each
// writing the next box of the stream of writeCap from start, and returns
// the index after the last box.
func (s *Store) destRecords(stream, writeCap, start []byte, chunks [][]byte) ([]byte, []byte, bool) {
	idx := start
	for _, chunk := range chunks {
		env := &phEnvelope{write: true, box: boxID(writeCap[32:64], idx), plaintext: chunk}
		ct, _, _ := s.newEnvelope(env)
		stream = binary.BigEndian.AppendUint32(stream, phRecordLen-4)
		stream = append(stream, ct[:phRecordLen-4]...)
		next, ok := nextIndex(idx)
		if !ok {
			return nil, nil, false
		}
		idx = next
	}
	return stream, idx, true
}

// chunk splits a payload into destination box payloads: each box holds
// MaxPlaintextPayloadLength − 4 bytes of it. An empty payload has none.
func chunk(payload []byte) (chunks [][]byte) {
	const size = phMaxPlaintext - 4
	for len(payload) > 0 {
		n := min(size, len(payload))
		chunks = append(chunks, append([]byte{}, payload[:n]...))
		payload = payload[n:]
	}
	return chunks
}

// elements cuts stream into copy-stream elements. With flush, the tail is
// emitted too (and carries the final flag if last); without, it is
// returned as the buffer for the next call.
func elements(stream []byte, first, last, flush bool) (elems [][]byte, buffer []byte) {
	for len(stream) > 0 {
		n := min(phElementData, len(stream))
		if n < phElementData && !flush {
			return elems, append([]byte{}, stream...)
		}
		e := make([]byte, 5, 5+n)
		if first && len(elems) == 0 {
			e[0] |= 1
		}
		binary.BigEndian.PutUint32(e[1:], uint32(n))
		elems = append(elems, append(e, stream[:n]...))
		stream = stream[n:]
	}
	if last && flush && len(elems) > 0 {
		elems[len(elems)-1][0] |= 2
	}
	return elems, nil
}

func (c *conn) phFromPayload(q *wire.CreateCourierEnvelopesFromPayload) bool {
	if c.badLength(q.DestWriteCap, writeCapLen, q.DestStartIndex, indexLen) {
		return false
	}
	r := wire.CreateCourierEnvelopesFromPayloadReply{QueryID: q.QueryID}
	if q.DestWriteCap == nil || q.DestStartIndex == nil || len(q.Payload) > phMaxPayload {
		r.ErrorCode = wire.ErrorCodeInvalidRequest
	} else {
		if !c.localDelay() {
			return false
		}
		stream, next, ok := c.s.destRecords(nil, q.DestWriteCap, q.DestStartIndex, chunk(q.Payload))
		if ok {
			r.Envelopes, _ = elements(stream, q.IsStart, q.IsLast, true)
			r.NextDestIndex = next
		} else {
			r.ErrorCode = wire.ErrorCodeInternalError
		}
	}
	c.Send(&wire.Response{CreateCourierEnvelopesFromPayloadReply: &r})
	return true
}

func (c *conn) phFromMultiPayload(q *wire.CreateCourierEnvelopesFromMultiPayload) bool {
	for _, dst := range q.Destinations {
		if c.badLength(dst.WriteCap, writeCapLen, dst.StartIndex, indexLen) {
			return false
		}
	}
	r := wire.CreateCourierEnvelopesFromMultiPayloadReply{QueryID: q.QueryID}
	valid := len(q.Destinations) > 0
	for _, dst := range q.Destinations {
		valid = valid && dst.WriteCap != nil && dst.StartIndex != nil && len(dst.Payload) <= phMaxPayload
	}
	if !valid {
		r.ErrorCode = wire.ErrorCodeInvalidRequest
		c.Send(&wire.Response{CreateCourierEnvelopesFromMultiPayloadReply: &r})
		return true
	}
	if !c.localDelay() {
		return false
	}
	stream := append([]byte(nil), q.Buffer...)
	for _, dst := range q.Destinations {
		var next []byte
		var ok bool
		if stream, next, ok = c.s.destRecords(stream, dst.WriteCap, dst.StartIndex, chunk(dst.Payload)); !ok {
			r = wire.CreateCourierEnvelopesFromMultiPayloadReply{QueryID: q.QueryID, ErrorCode: wire.ErrorCodeInternalError}
			c.Send(&wire.Response{CreateCourierEnvelopesFromMultiPayloadReply: &r})
			return true
		}
		r.NextDestIndices = append(r.NextDestIndices, next)
	}
	r.Envelopes, r.Buffer = elements(stream, q.IsStart, q.IsLast, q.IsLast)
	c.Send(&wire.Response{CreateCourierEnvelopesFromMultiPayloadReply: &r})
	return true
}

func (c *conn) phTombstoneRange(q *wire.CreateCourierEnvelopesFromTombstoneRange) bool {
	if c.badLength(q.DestWriteCap, writeCapLen, q.DestStartIndex, indexLen) {
		return false
	}
	r := wire.CreateCourierEnvelopesFromTombstoneRangeReply{QueryID: q.QueryID}
	switch {
	case q.DestWriteCap == nil || q.DestStartIndex == nil:
		r.ErrorCode = wire.ErrorCodeInvalidRequest
	case q.MaxCount == 0:
		// At once: no envelopes, the buffer dropped, next = start.
		r.NextDestIndex = q.DestStartIndex
	default:
		if !c.localDelay() {
			return false
		}
		tombstones := make([][]byte, q.MaxCount)
		for i := range tombstones {
			tombstones[i] = []byte{}
		}
		stream, next, ok := c.s.destRecords(append([]byte(nil), q.Buffer...), q.DestWriteCap, q.DestStartIndex, tombstones)
		if !ok {
			r.ErrorCode = wire.ErrorCodeInternalError
			break
		}
		r.Envelopes, r.Buffer = elements(stream, q.IsStart, q.IsLast, q.IsLast)
		r.NextDestIndex = next
	}
	c.Send(&wire.Response{CreateCourierEnvelopesFromTombstoneRangeReply: &r})
	return true
}

// copyLocked runs a copy command: it reads the temporary stream from its
// first box until the final flag (waiting for a box not yet written, as
// the courier retries), then writes every destination box in order. It
// returns false while it waits.
func (s *Store) copyLocked(f *phFlight, r *wire.Response) bool {
	rep := &wire.StartResendingCopyCommandReply{QueryID: &f.qid}
	r.StartResendingCopyCommandReply = rep
	fail := func(replica uint8, at uint64) bool {
		rep.ErrorCode, rep.ReplicaErrorCode, rep.FailedEnvelopeIndex = 26, replica, at
		return true
	}
	pub, idx := f.tempCap[32:64], f.tempCap[64:]
	var stream []byte
	for n := 0; ; n++ {
		if n >= phMaxCopyBoxes {
			return fail(0, 0)
		}
		id := boxID(pub, idx)
		box := s.boxes[id]
		if box == nil {
			s.waitLocked(f, id)
			return false
		}
		if box.tombstone {
			return fail(11, 0)
		}
		if len(box.data) < 5 || int(binary.BigEndian.Uint32(box.data[1:5])) > len(box.data)-5 {
			return fail(0, 0)
		}
		stream = append(stream, box.data[5:5+binary.BigEndian.Uint32(box.data[1:5])]...)
		if box.data[0]&2 != 0 {
			break
		}
		next, ok := nextIndex(idx)
		if !ok {
			return fail(0, 0)
		}
		idx = next
	}
	for k := uint64(1); len(stream) > 0; k++ {
		if len(stream) < 4 || int(binary.BigEndian.Uint32(stream)) > len(stream)-4 {
			return fail(0, k)
		}
		n := binary.BigEndian.Uint32(stream)
		env := s.envelopeOfLocked(stream[4 : 4+n])
		stream = stream[4+n:]
		if env == nil || !env.write {
			return fail(0, k)
		}
		if !s.writeLocked(env) {
			return fail(10, k) // writes are immutable, but for tombstones
		}
	}
	return true
}
