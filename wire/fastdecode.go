package wire

import (
	"encoding/binary"
	"math"
	"time"
	"unicode/utf8"
)

// Decoder decodes responses into storage it reuses, for a reader that
// handles one response at a time (a client's reader goroutine). The
// *Response that Decode returns, and the events it points to, are valid
// until the next Decode; byte slices in them (payloads) are fresh copies
// that the caller may keep. A Decoder is not safe for concurrent use.
//
// The events a client sees most (message sent and reply events) are read
// key by key by a hand-written decoder without reflection or allocations
// beyond the payload; anything else, and anything the fast decoder is
// unsure of, goes to the general decoder, which gives the same result
// (FuzzDecoder).
type Decoder struct {
	resp  Response
	sent  MessageSentEvent
	reply MessageReplyEvent
	ids   [2][IDLength]byte
	err   DaemonError
	// share: reply payloads may be views into the body (DecodeShared).
	share bool
}

// Decode decodes body. See DecodeResponse for the errors.
func (d *Decoder) Decode(body []byte) (*Response, error) {
	d.share = false
	return d.decode(body)
}

// DecodeShared is Decode, except that a reply event's payload may be a
// view into body instead of a copy: it is valid only as long as body is.
// It is for a reader that hands replies to other goroutines, which then
// copy them themselves, off the reader's path.
func (d *Decoder) DecodeShared(body []byte) (*Response, error) {
	d.share = true
	return d.decode(body)
}

func (d *Decoder) decode(body []byte) (*Response, error) {
	if d.fast(body) {
		return &d.resp, nil
	}
	if err := DecodeResponse(body, &d.resp); err != nil {
		return nil, err
	}
	return &d.resp, nil
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

// null consumes a null if one is next.
func (c *cursor) null() bool {
	if c.ok && len(c.b) > 0 && c.b[0] == cborNull {
		c.b = c.b[1:]
		return true
	}
	return false
}

// id reads a null or a 16-byte byte string into dst.
func (c *cursor) id(dst *[IDLength]byte) bool {
	if c.null() {
		return false
	}
	major, n := c.head()
	if major != majorBytes || n != IDLength {
		c.ok = false
		return false
	}
	copy(dst[:], c.take(n))
	return c.ok
}

func (c *cursor) uint(limit uint64) uint64 {
	major, v := c.head()
	if major != majorUint || v > limit {
		c.ok = false
		return 0
	}
	return v
}

// daemonErr reads null, or the v0.0.47 empty map, into dst.
func (c *cursor) daemonErr(dst *DaemonError) *DaemonError {
	if c.null() {
		return nil
	}
	if c.ok && len(c.b) > 0 && c.b[0] == majorMap {
		c.b = c.b[1:]
		*dst = DaemonError{}
		return dst
	}
	c.ok = false // text and other forms: the general decoder
	return nil
}

// fast decodes the hot events; it reports false to hand body to the
// general decoder, having possibly written scratch state.
func (d *Decoder) fast(body []byte) bool {
	c := cursor{b: body, ok: true}
	major, n := c.head()
	if major != majorMap || n > 64 {
		return false
	}
	d.resp = Response{}
	events, seenEvents := 0, 0
	for range n {
		key := c.text()
		if !c.ok {
			return false
		}
		isNull := c.null()
		// The general decoder keeps the first of duplicate keys: a key
		// seen twice, null or not, is not for the fast path.
		bit := 0
		switch string(key) {
		case "message_sent_event":
			bit = seenSentEvent
		case "message_reply_event":
			bit = seenReplyEvent
		}
		if seenEvents&bit != 0 {
			return false
		}
		seenEvents |= bit
		if isNull {
			if !utf8.Valid(key) {
				return false // the general decoder rejects it
			}
			continue // an unused key of the envelope, known or not
		}
		events++
		switch bit {
		case seenSentEvent:
			if !d.decodeSent(&c) {
				return false
			}
		case seenReplyEvent:
			if !d.decodeReply(&c) {
				return false
			}
		default:
			return false
		}
	}
	return c.ok && len(c.b) == 0 && events == 1
}

// Bits recording which fields of an event were seen: a duplicate key
// declines, so that the result never depends on which one wins.
const (
	seenMessageID = 1 << iota
	seenSURBID
	seenSentAt
	seenReplyETA
	seenErr
	seenPayload
	seenErrorCode
	seenSentEvent
	seenReplyEvent
)

// eventField reads the fields that sent and reply events share into the
// given fields, returning the key's bit, or 0 (reading nothing) for any
// other key.
func (d *Decoder) eventField(c *cursor, key []byte, mid **MessageID, sid **SURBID, derr **DaemonError) int {
	switch string(key) {
	case "message_id":
		if c.id(&d.ids[0]) {
			*mid = (*MessageID)(&d.ids[0])
		}
		return seenMessageID
	case "surbid":
		if c.id(&d.ids[1]) {
			*sid = (*SURBID)(&d.ids[1])
		}
		return seenSURBID
	case "err":
		*derr = c.daemonErr(&d.err)
		return seenErr
	}
	return 0
}

func (d *Decoder) decodeSent(c *cursor) bool {
	major, n := c.head()
	if major != majorMap || n > 16 {
		return false
	}
	d.sent = MessageSentEvent{}
	if !d.sentFields(c, int(n)) {
		return false
	}
	d.resp.MessageSent = &d.sent
	return true
}

// sentFields reads n keys of a sent event into d.sent.
func (d *Decoder) sentFields(c *cursor, n int) bool {
	e, seen := &d.sent, 0
	for range n {
		key := c.text()
		bit := d.eventField(c, key, &e.MessageID, &e.SURBID, &e.Err)
		if bit == 0 {
			switch string(key) {
			case "sent_at":
				bit = seenSentAt
				if !c.null() {
					e.SentAt = time.Unix(int64(c.uint(math.MaxInt64)), 0)
				}
			case "reply_eta":
				bit = seenReplyETA
				if !c.null() {
					e.ReplyETA = time.Duration(c.uint(math.MaxInt64))
				}
			default:
				return false
			}
		}
		if !c.ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
	return true
}

func (d *Decoder) decodeReply(c *cursor) bool {
	major, n := c.head()
	if major != majorMap || n > 16 {
		return false
	}
	d.reply = MessageReplyEvent{}
	if !d.replyEventFields(c, int(n)) {
		return false
	}
	d.resp.MessageReply = &d.reply
	return true
}

// replyEventFields reads n keys of a reply event into d.reply.
func (d *Decoder) replyEventFields(c *cursor, n int) bool {
	e, seen := &d.reply, 0
	for range n {
		key := c.text()
		bit := d.eventField(c, key, &e.MessageID, &e.SURBID, &e.Err)
		if bit == 0 {
			switch string(key) {
			case "payload":
				bit = seenPayload
				if !c.null() {
					major, n := c.head()
					if major != majorBytes {
						return false
					}
					if d.share {
						e.Payload = c.take(n)
					} else {
						// A copy: the reply outlives the frame buffer.
						e.Payload = append(make([]byte, 0, n), c.take(n)...)
					}
				}
			case "error_code":
				bit = seenErrorCode
				if !c.null() {
					e.ErrorCode = ErrorCode(c.uint(math.MaxUint8))
				}
			default:
				return false // reply_index and anything new: the general decoder
			}
		}
		if !c.ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
	return true
}
