package wire

import (
	"bytes"
	"fmt"
	"time"
)

// The hot path: a daemon writes its message sent and reply events for
// SURB sends with the same bytes every time, up to the SURB ID (the
// envelope's null keys, the event's key, its map head, a null message
// ID) and from the end of the event on (the rest of the envelope, all
// null). A frame that starts and ends with exactly those bytes is read
// by comparing them and decoding only the event's few fields in between;
// any other frame goes to the key-by-key fast path, and from there to
// the general decoder, which give the same result (FuzzDecoder).

// hotTemplate is the fixed bytes of one event of one generation.
type hotTemplate struct {
	reply  bool   // a reply event, else a sent event
	head   []byte // up to and including the SURB ID's byte string head
	fields int    // the event's keys after the SURB ID
	tail   []byte // the envelope after the event
}

// hotTemplates are built from the encoder, which writes each daemon's
// bytes (checked against the captured frames).
var hotTemplates = []hotTemplate{
	newHotTemplate(Generation47, false),
	newHotTemplate(Generation47, true),
	newHotTemplate(Generation99, false),
	newHotTemplate(Generation99, true),
}

// newHotTemplate encodes a sample event whose SURB ID is a marker and
// cuts the frame around it.
func newHotTemplate(g Generation, reply bool) hotTemplate {
	var marker SURBID
	for i := range marker {
		marker[i] = 0xa5
	}
	var r Response
	var event []byte
	if reply {
		r.MessageReply = &MessageReplyEvent{SURBID: &marker, Payload: []byte{}}
		if g == Generation99 {
			event = r.MessageReply.append99(nil)
		} else {
			event = r.MessageReply.append47(nil)
		}
	} else {
		r.MessageSent = &MessageSentEvent{SURBID: &marker, SentAt: time.Unix(1, 0)}
		event = r.MessageSent.appendBody(nil, g)
	}
	body := r.Marshal(g)
	at := bytes.Index(body, event)
	// The event must start with a null message ID and the SURB ID.
	prefix := appendHead(nil, majorText, uint64(len("message_id")))
	prefix = append(prefix, "message_id"...)
	prefix = append(prefix, cborNull)
	prefix = appendHead(prefix, majorText, uint64(len("surbid")))
	prefix = append(prefix, "surbid"...)
	prefix = appendHead(prefix, majorBytes, IDLength)
	c := cursor{b: event, ok: true}
	major, n := c.head()
	if at < 0 || major != majorMap || n < 2 || !bytes.HasPrefix(c.b, prefix) {
		panic(fmt.Sprintf("wire: no hot template for generation %v (reply %v)", g, reply))
	}
	headLen := at + (len(event) - len(c.b)) + len(prefix)
	return hotTemplate{
		reply:  reply,
		head:   body[:headLen:headLen],
		fields: int(n) - 2,
		tail:   body[at+len(event):],
	}
}

// hot decodes body if it fits a template; it reports false, having
// possibly written scratch state, for the other paths to try.
func (d *Decoder) hot(body []byte) bool {
	for i := range hotTemplates {
		t := &hotTemplates[i]
		if len(body) < len(t.head)+IDLength+len(t.tail) || !bytes.Equal(body[:len(t.head)], t.head) ||
			!bytes.Equal(body[len(body)-len(t.tail):], t.tail) {
			continue
		}
		rest := body[len(t.head) : len(body)-len(t.tail)]
		c := cursor{b: rest[IDLength:], ok: true}
		seen := seenMessageID | seenSURBID
		if t.reply {
			e := &d.reply
			*e = MessageReplyEvent{}
			if !d.replyFields(&c, t.fields, seen) {
				return false
			}
			copy(d.ids[1][:], rest)
			e.SURBID = (*SURBID)(&d.ids[1])
		} else {
			e := &d.sent
			*e = MessageSentEvent{}
			if !d.sentFields(&c, t.fields, seen) {
				return false
			}
			copy(d.ids[1][:], rest)
			e.SURBID = (*SURBID)(&d.ids[1])
		}
		if !c.ok || len(c.b) != 0 {
			return false
		}
		if d.dirty {
			d.resp = Response{}
			d.dirty = false
		}
		if t.reply {
			d.resp.MessageSent, d.resp.MessageReply = nil, &d.reply
		} else {
			d.resp.MessageSent, d.resp.MessageReply = &d.sent, nil
		}
		return true
	}
	return false
}
