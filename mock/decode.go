package mock

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/katzenthin/katzenthin/wire"
)

// requestDecoder decodes the requests of one connection's reader. The
// shapes clients send (every key of the daemon's Go type or only some,
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

// decode47 decodes a v0.0.47 request body into r, as wire.DecodeRequest
// does.
func (d *requestDecoder) decode47(body []byte, r *wire.Request) error {
	c := reqCursor{b: body, ok: true}
	if d.request47(&c, r) && c.done() {
		return nil
	}
	return wire.DecodeRequest(body, r)
}

// decode99 decodes a v0.0.99 request body into r, as wire.DecodeRequest99
// does.
func (d *requestDecoder) decode99(body []byte, r *wire.Request99) error {
	c := reqCursor{b: body, ok: true}
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

func (d *requestDecoder) request47(c *reqCursor, r *wire.Request) bool {
	n, ok := c.mapHead()
	if !ok {
		return false
	}
	*r = wire.Request{}
	seen := 0
	for range n {
		key := c.text()
		if c.skipNull(key) {
			continue
		}
		bit := 0
		switch string(key) {
		case "id":
			bit = keyID
			r.ID = (*wire.MessageID)(c.id(&d.msgID))
		case "with_surb":
			bit, r.WithSURB = keyWithSURB, c.bool()
		case "surbid":
			bit = keySURBID
			r.SURBID = (*wire.SURBID)(c.id(&d.surbID))
		case "destination_id_hash":
			bit, r.DestinationIDHash = keyDestination, c.bytes()
		case "recipient_queue_id":
			bit, r.RecipientQueueID = keyQueue, c.bytes()
		case "payload":
			bit, r.Payload = keyPayload, c.payload()
		case "is_send_op":
			bit, r.IsSendOp = keySendOp, c.bool()
		case "is_arq_send_op":
			bit, r.IsARQSendOp = keyARQSendOp, c.bool()
		case "is_loop_decoy":
			bit, r.IsLoopDecoy = keyLoopDecoy, c.bool()
		case "is_drop_decoy":
			bit, r.IsDropDecoy = keyDropDecoy, c.bool()
		case "is_thin_close":
			bit, r.IsThinClose = keyThinClose, c.bool()
		default:
			return false // an unknown key with a value
		}
		if !c.ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
	return c.ok
}

func (d *requestDecoder) request99(c *reqCursor, r *wire.Request99) bool {
	n, ok := c.mapHead()
	if !ok {
		return false
	}
	*r = wire.Request99{}
	seen := 0
	for range n {
		key := c.text()
		if c.skipNull(key) {
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

func (d *requestDecoder) sendMessage(c *reqCursor) bool {
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
			continue
		}
		bit := 0
		switch string(key) {
		case "id":
			bit = keyID
			m.ID = (*wire.MessageID)(c.id(&d.msgID))
		case "with_surb":
			bit, m.WithSURB = keyWithSURB, c.bool()
		case "surbid":
			bit = keySURBID
			m.SURBID = (*wire.SURBID)(c.id(&d.surbID))
		case "destination_id_hash":
			bit, m.DestinationIDHash = keyDestination, c.bytes()
		case "recipient_queue_id":
			bit, m.RecipientQueueID = keyQueue, c.bytes()
		case "payload":
			bit, m.Payload = keyPayload, c.payload()
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

func (d *requestDecoder) sessionToken(c *reqCursor) bool {
	n, ok := c.mapHead()
	if !ok {
		return false
	}
	d.token = wire.SessionToken{}
	seen := 0
	for range n {
		key := c.text()
		if c.skipNull(key) {
			continue
		}
		if string(key) != "client_instance_token" || seen != 0 {
			return false
		}
		seen = keyClientToken
		d.token.ClientInstanceToken = (*wire.Token)(c.id(&d.tokenID))
	}
	return c.ok
}

func (d *requestDecoder) getPKIDocument(c *reqCursor) bool {
	n, ok := c.mapHead()
	if !ok {
		return false
	}
	d.query = wire.GetPKIDocument{}
	seen := 0
	for range n {
		key := c.text()
		if c.skipNull(key) {
			continue
		}
		bit := 0
		switch string(key) {
		case "query_id":
			bit = keyQueryID
			d.query.QueryID = (*wire.QueryID)(c.id(&d.queryID))
		case "epoch":
			bit, d.query.Epoch = keyEpoch, c.uint()
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

// reqCursor reads CBOR items; ok turns false at the first thing the
// fast path does not handle, and stays false.
type reqCursor struct {
	b  []byte
	ok bool
}

// CBOR initial bytes.
const (
	cborMajorUint  = 0 << 5
	cborMajorBytes = 2 << 5
	cborMajorText  = 3 << 5
	cborMajorMap   = 5 << 5
	cborFalse      = 0xf4
	cborTrue       = 0xf5
	cborNull       = 0xf6
)

// done reports whether everything was read, with nothing left over.
func (c *reqCursor) done() bool { return c.ok && len(c.b) == 0 }

// head reads an initial byte with a definite argument.
func (c *reqCursor) head() (major byte, arg uint64) {
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
		c.ok = false // indefinite lengths, simple values, truncation
		return 0, 0
	}
	return major, arg
}

// mapHead reads the head of a map of at most 64 pairs.
func (c *reqCursor) mapHead() (uint64, bool) {
	major, n := c.head()
	if !c.ok || major != cborMajorMap || n > 64 {
		c.ok = false
		return 0, false
	}
	return n, true
}

// take returns the next n bytes, a view of the body.
func (c *reqCursor) take(n uint64) []byte {
	if !c.ok || n > uint64(len(c.b)) {
		c.ok = false
		return nil
	}
	out := c.b[:n:n]
	c.b = c.b[n:]
	return out
}

// text reads a text string (a key).
func (c *reqCursor) text() []byte {
	major, n := c.head()
	if major != cborMajorText {
		c.ok = false
		return nil
	}
	return c.take(n)
}

// skipNull consumes a null value, which leaves a field at its zero value
// whatever the key, known or not; the general decoder rejects a key that
// is not UTF-8.
func (c *reqCursor) skipNull(key []byte) bool {
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

func (c *reqCursor) bool() bool {
	if !c.ok || len(c.b) == 0 || (c.b[0] != cborFalse && c.b[0] != cborTrue) {
		c.ok = false
		return false
	}
	v := c.b[0] == cborTrue
	c.b = c.b[1:]
	return v
}

func (c *reqCursor) uint() uint64 {
	major, v := c.head()
	if major != cborMajorUint {
		c.ok = false
	}
	return v
}

// id reads a 16-byte byte string into dst, the only form the IDs'
// UnmarshalCBOR takes without the general decoder.
func (c *reqCursor) id(dst *[wire.IDLength]byte) *[wire.IDLength]byte {
	if !c.ok || len(c.b) < 1+wire.IDLength || c.b[0] != cborMajorBytes|wire.IDLength {
		c.ok = false
		return nil
	}
	copy(dst[:], c.b[1:1+wire.IDLength])
	c.b = c.b[1+wire.IDLength:]
	return dst
}

// bytes reads a byte string as a view of the body.
func (c *reqCursor) bytes() []byte {
	major, n := c.head()
	if major != cborMajorBytes {
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
func (c *reqCursor) payload() []byte {
	b := c.bytes()
	if !c.ok {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}
