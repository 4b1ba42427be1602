package mock

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/katzenthin/katzenthin/wire"
)

// CBOR major types, shifted into the initial byte, and simple values.
const (
	majorUint  = 0 << 5
	majorBytes = 2 << 5
	majorText  = 3 << 5
	majorMap   = 5 << 5

	cborFalse = 0xf4
	cborTrue  = 0xf5
	cborNull  = 0xf6
)

// requestDecoder is the daemon side's counterpart of wire.Decoder: it
// decodes the requests of one connection's reader. The shapes clients send (every key of the daemon's Go type or only some,
// in any order, definite lengths, IDs as 16-byte strings) are read by
// hand, without reflection; anything else goes to wire.DecodeRequest or
// wire.DecodeRequest99, which give the same result for what the fast
// path reads: it declines whatever it is not sure of (duplicate keys,
// unknown keys with a value, other types, indefinite lengths, trailing
// bytes) rather than guess.
//
// Unlike the general decoders, the fast path fills the request with
// views: IDs point into the decoder, the destination and queue into the
// frame body, so both are valid until the next frame. The payload is
// always a copy, since a service handler may keep it. A requestDecoder
// is not safe for concurrent use.
type requestDecoder struct {
	// IDs, one array per field that may be set in the same request.
	msgID, surbID, tokenID, queryID [wire.IDLength]byte

	// v0.0.99 operations, reused.
	send  wire.SendMessage
	token wire.SessionToken
	query wire.GetPKIDocument
	close wire.ThinClose
}

// decode47 decodes a v0.0.47 request body into r, as
// wire.DecodeRequest does.
func (d *requestDecoder) decode47(body []byte, r *wire.Request) error {
	c := cursor{b: body, ok: true}
	if d.request47(&c, r) && c.done() {
		return nil
	}
	return wire.DecodeRequest(body, r)
}

// decode99 decodes a v0.0.99 request body into r, as
// wire.DecodeRequest99 does.
func (d *requestDecoder) decode99(body []byte, r *wire.Request99) error {
	c := cursor{b: body, ok: true}
	if d.request99(&c, r) && c.done() {
		return nil
	}
	return wire.DecodeRequest99(body, r)
}

// Bits of the keys seen in one map: a duplicate declines.
const (
	keyID = 1 << iota
	keyWithSURB
	keySURBID
	keyDestination
	keyQueue
	keyPayload
	keySendOp
	keyARQSendOp
	keyLoopDecoy
	keyDropDecoy
	keyThinClose
	keySessionToken
	keySendMessage
	keyGetPKIDocument
	keyQueryID
	keyEpoch
	keyClientToken
)

func (d *requestDecoder) request47(c *cursor, r *wire.Request) bool {
	n, ok := c.mapHead()
	if !ok {
		return false
	}
	*r = wire.Request{}
	seen := 0
	for range n {
		key := c.text()
		if c.skipNull(key) {
			if !markNull(key, request47Keys, &seen) {
				return false
			}
			continue
		}
		bit := d.sendField(c, key, sendFields{&r.ID, &r.WithSURB, &r.SURBID, &r.DestinationIDHash, &r.RecipientQueueID, &r.Payload})
		if bit == 0 {
			switch string(key) {
			case "is_send_op":
				bit, r.IsSendOp = keySendOp, c.boolean()
			case "is_arq_send_op":
				bit, r.IsARQSendOp = keyARQSendOp, c.boolean()
			case "is_loop_decoy":
				bit, r.IsLoopDecoy = keyLoopDecoy, c.boolean()
			case "is_drop_decoy":
				bit, r.IsDropDecoy = keyDropDecoy, c.boolean()
			case "is_thin_close":
				bit, r.IsThinClose = keyThinClose, c.boolean()
			default:
				return false // an unknown key with a value
			}
		}
		if !c.ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
	return c.ok
}

// sendFields points at the six fields that a v0.0.47 request and a
// v0.0.99 send_message share.
type sendFields struct {
	id                  **wire.MessageID
	withSURB            *bool
	surbID              **wire.SURBID
	dst, queue, payload *[]byte
}

// sendField decodes the value of key into f when key names one of the
// shared fields, and returns the key's bit; otherwise it reads nothing
// and returns 0.
func (d *requestDecoder) sendField(c *cursor, key []byte, f sendFields) int {
	switch string(key) {
	case "id":
		*f.id = (*wire.MessageID)(c.idRef(&d.msgID))
		return keyID
	case "with_surb":
		*f.withSURB = c.boolean()
		return keyWithSURB
	case "surbid":
		*f.surbID = (*wire.SURBID)(c.idRef(&d.surbID))
		return keySURBID
	case "destination_id_hash":
		*f.dst = c.bytes()
		return keyDestination
	case "recipient_queue_id":
		*f.queue = c.bytes()
		return keyQueue
	case "payload":
		*f.payload = c.payload()
		return keyPayload
	}
	return 0
}

func (d *requestDecoder) request99(c *cursor, r *wire.Request99) bool {
	n, ok := c.mapHead()
	if !ok {
		return false
	}
	*r = wire.Request99{}
	seen := 0
	for range n {
		key := c.text()
		if c.skipNull(key) {
			if !markNull(key, request99OpKeys, &seen) {
				return false
			}
			continue
		}
		bit := 0
		switch string(key) {
		case "send_message":
			bit = keySendMessage
			if !d.sendMessage(c) {
				return false
			}
			r.SendMessage = &d.send
		case "session_token":
			bit = keySessionToken
			if !d.sessionToken(c) {
				return false
			}
			r.SessionToken = &d.token
		case "get_pki_document":
			bit = keyGetPKIDocument
			if !d.getPKIDocument(c) {
				return false
			}
			r.GetPKIDocument = &d.query
		case "thin_close":
			bit = keyThinClose
			if n, ok := c.mapHead(); !ok || n != 0 {
				return false // fields of an empty struct: the general decoder
			}
			r.ThinClose = &d.close
		default:
			return false
		}
		if !c.ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
	return c.ok
}

func (d *requestDecoder) sendMessage(c *cursor) bool {
	n, ok := c.mapHead()
	if !ok {
		return false
	}
	m := &d.send
	*m = wire.SendMessage{}
	seen := 0
	for range n {
		key := c.text()
		if c.skipNull(key) {
			if !markNull(key, sendMessageKeys, &seen) {
				return false
			}
			continue
		}
		bit := d.sendField(c, key, sendFields{&m.ID, &m.WithSURB, &m.SURBID, &m.DestinationIDHash, &m.RecipientQueueID, &m.Payload})
		if bit == 0 {
			return false // an unknown key with a value
		}
		if !c.ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
	return c.ok
}

func (d *requestDecoder) sessionToken(c *cursor) bool {
	n, ok := c.mapHead()
	if !ok {
		return false
	}
	d.token = wire.SessionToken{}
	seen := 0
	for range n {
		key := c.text()
		if c.skipNull(key) {
			if !markNull(key, sessionTokenKeys, &seen) {
				return false
			}
			continue
		}
		if string(key) != "client_instance_token" || seen != 0 {
			return false
		}
		seen = keyClientToken
		d.token.ClientInstanceToken = (*wire.Token)(c.idRef(&d.tokenID))
	}
	return c.ok
}

func (d *requestDecoder) getPKIDocument(c *cursor) bool {
	n, ok := c.mapHead()
	if !ok {
		return false
	}
	d.query = wire.GetPKIDocument{}
	seen := 0
	for range n {
		key := c.text()
		if c.skipNull(key) {
			if !markNull(key, getPKIDocumentKeys, &seen) {
				return false
			}
			continue
		}
		bit := 0
		switch string(key) {
		case "query_id":
			bit = keyQueryID
			d.query.QueryID = (*wire.QueryID)(c.idRef(&d.queryID))
		case "epoch":
			bit, d.query.Epoch = keyEpoch, c.anyUint()
		default:
			return false
		}
		if !c.ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
	return c.ok
}

// done reports whether everything was read, with nothing left over.
func (c *cursor) done() bool { return c.ok && len(c.b) == 0 }

// mapHead reads the head of a map of at most 64 pairs.
func (c *cursor) mapHead() (uint64, bool) {
	major, n := c.head()
	if !c.ok || major != majorMap || n > 64 {
		c.ok = false
		return 0, false
	}
	return n, true
}

// skipNull consumes a null value, which leaves a field at its zero value
// whatever the key, known or not; the general decoder rejects a key that
// is not UTF-8.
func (c *cursor) skipNull(key []byte) bool {
	if !c.ok || len(c.b) == 0 || c.b[0] != cborNull {
		return false
	}
	if !utf8.Valid(key) {
		c.ok = false
		return false
	}
	c.b = c.b[1:]
	return true
}

func (c *cursor) boolean() bool {
	if !c.ok || len(c.b) == 0 || (c.b[0] != cborFalse && c.b[0] != cborTrue) {
		c.ok = false
		return false
	}
	v := c.b[0] == cborTrue
	c.b = c.b[1:]
	return v
}

func (c *cursor) anyUint() uint64 {
	major, v := c.head()
	if major != majorUint {
		c.ok = false
	}
	return v
}

// id reads a 16-byte byte string into dst, the only form the IDs'
// UnmarshalCBOR takes without the general decoder.
func (c *cursor) idRef(dst *[wire.IDLength]byte) *[wire.IDLength]byte {
	if !c.ok || len(c.b) < 1+wire.IDLength || c.b[0] != majorBytes|wire.IDLength {
		c.ok = false
		return nil
	}
	copy(dst[:], c.b[1:1+wire.IDLength])
	c.b = c.b[1+wire.IDLength:]
	return dst
}

// bytes reads a byte string as a view of the body.
func (c *cursor) bytes() []byte {
	major, n := c.head()
	if major != majorBytes {
		c.ok = false
		return nil
	}
	b := c.take(n)
	if b == nil && c.ok {
		b = []byte{}
	}
	return b
}

// payload reads a byte string as a copy.
func (c *cursor) payload() []byte {
	b := c.bytes()
	if !c.ok {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

// The known keys of each map and their bits. A key seen twice declines,
// null or not: the general decoder keeps the first of duplicate keys,
// and the fast path must not guess.
var (
	request47Keys = map[string]int{
		"id": keyID, "with_surb": keyWithSURB, "surbid": keySURBID,
		"destination_id_hash": keyDestination, "recipient_queue_id": keyQueue,
		"payload": keyPayload, "is_send_op": keySendOp, "is_arq_send_op": keyARQSendOp,
		"is_loop_decoy": keyLoopDecoy, "is_drop_decoy": keyDropDecoy, "is_thin_close": keyThinClose,
	}
	request99OpKeys = map[string]int{
		"send_message": keySendMessage, "session_token": keySessionToken,
		"get_pki_document": keyGetPKIDocument, "thin_close": keyThinClose,
	}
	sendMessageKeys = map[string]int{
		"id": keyID, "with_surb": keyWithSURB, "surbid": keySURBID,
		"destination_id_hash": keyDestination, "recipient_queue_id": keyQueue, "payload": keyPayload,
	}
	sessionTokenKeys   = map[string]int{"client_instance_token": keyClientToken}
	getPKIDocumentKeys = map[string]int{"query_id": keyQueryID, "epoch": keyEpoch}
)

// markNull records a known key whose value was null; it reports false
// for a key seen before.
func markNull(key []byte, known map[string]int, seen *int) bool {
	bit, ok := known[string(key)]
	if !ok {
		return true
	}
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

// cursor reads CBOR items from a buffer; ok turns false at the first
// thing the fast path does not handle, and stays false.
type cursor struct {
	b  []byte
	ok bool
}

// head reads an initial byte with a definite argument.
func (c *cursor) head() (major byte, arg uint64) {
	if !c.ok || len(c.b) == 0 {
		c.ok = false
		return 0, 0
	}
	ib := c.b[0]
	major, info := ib&0xe0, ib&0x1f
	switch {
	case info < 24:
		c.b = c.b[1:]
		return major, uint64(info)
	case info == 24 && len(c.b) >= 2:
		arg, c.b = uint64(c.b[1]), c.b[2:]
	case info == 25 && len(c.b) >= 3:
		arg, c.b = uint64(binary.BigEndian.Uint16(c.b[1:])), c.b[3:]
	case info == 26 && len(c.b) >= 5:
		arg, c.b = uint64(binary.BigEndian.Uint32(c.b[1:])), c.b[5:]
	case info == 27 && len(c.b) >= 9:
		arg, c.b = binary.BigEndian.Uint64(c.b[1:]), c.b[9:]
	default:
		c.ok = false // indefinite lengths, reserved values, truncation
		return 0, 0
	}
	return major, arg
}

// take returns the next n bytes.
func (c *cursor) take(n uint64) []byte {
	if !c.ok || n > uint64(len(c.b)) {
		c.ok = false
		return nil
	}
	out := c.b[:n:n]
	c.b = c.b[n:]
	return out
}

// text reads a text string's bytes (without checking UTF-8: keys are
// compared with known ASCII names, and anything else declines). Callers
// switch on string(text), which the compiler does without allocating.
func (c *cursor) text() []byte {
	major, n := c.head()
	if major != majorText {
		c.ok = false
		return nil
	}
	return c.take(n)
}
