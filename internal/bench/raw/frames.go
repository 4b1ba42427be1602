package raw

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// IDLength is the length of a SURB ID.
const IDLength = 16

// StampLength is how many leading payload bytes Canned copies from a
// request into its reply (see Frames.Reply), so that a caller can tell
// its own reply from another's.
const StampLength = 16

// The CBOR key and head bytes that precede the values the pair patches:
// text "surbid" then a 16-byte string head, text "payload".
var (
	surbidMarker  = []byte("\x66surbid\x50")
	payloadMarker = []byte("\x67payload")
)

// Frames are the captured v0.0.47 frames the pair works from, each a
// whole frame (4-byte big-endian length and CBOR body), with the offsets
// of the bytes they patch, found once in Load.
type Frames struct {
	// Greeting is the handshake: the connection status event and the
	// PKI document event, back to back.
	Greeting []byte
	// Sent and Reply are the message_sent_event and message_reply_event
	// of the captured SURB round trip.
	Sent, Reply []byte
	// SentID and ReplyID are the offsets of the SURB ID in Sent and
	// Reply; ReplyPayload is that of the reply's payload.
	SentID, ReplyID, ReplyPayload int
	// ReplyPayloadLen is the length of the reply's payload.
	ReplyPayloadLen int
	// Request is the body (no length prefix) of the captured SURB send
	// request; RequestID is the offset of its SURB ID, RequestPayload
	// that of its payload's head.
	Request                   []byte
	RequestID, RequestPayload int
}

// The captured files Load reads, in testdata/daemon-v0.0.47.
const (
	fileStatus  = "01-connection_status_event.cbor"
	fileDoc     = "02-new_pki_document_event.cbor"
	fileSent    = "03-message_sent_event-surb.cbor"
	fileReply   = "04-message_reply_event-surb.cbor"
	fileRequest = "request-send-surb.cbor"
)

// Load reads the captured frames from dir (testdata/daemon-v0.0.47) and
// finds the offsets to patch: the SURB ID of the captured request, and
// where that same ID stands in the sent and reply frames.
func Load(dir string) (*Frames, error) {
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) }
	var bodies [5][]byte
	for i, name := range []string{fileStatus, fileDoc, fileSent, fileReply, fileRequest} {
		b, err := read(name)
		if err != nil {
			return nil, err
		}
		bodies[i] = b
	}
	f := &Frames{Request: bodies[4]}
	f.Greeting = appendFrame(appendFrame(nil, bodies[0]), bodies[1])
	f.Sent = appendFrame(nil, bodies[2])
	f.Reply = appendFrame(nil, bodies[3])

	f.RequestID = idOffset(f.Request)
	if f.RequestID < 0 {
		return nil, errors.New("raw: no SURB ID in the captured request")
	}
	id := f.Request[f.RequestID : f.RequestID+IDLength]
	f.SentID = bytes.Index(f.Sent, id)
	f.ReplyID = bytes.Index(f.Reply, id)
	if f.SentID < 0 || f.ReplyID < 0 {
		return nil, errors.New("raw: the captured events do not carry the request's SURB ID")
	}
	f.RequestPayload = bytes.Index(f.Request, payloadMarker)
	if f.RequestPayload < 0 {
		return nil, errors.New("raw: no payload in the captured request")
	}
	f.RequestPayload += len(payloadMarker)
	p := bytes.Index(f.Reply[f.ReplyID:], payloadMarker)
	if p < 0 {
		return nil, errors.New("raw: no payload in the captured reply")
	}
	p += f.ReplyID + len(payloadMarker)
	n, head, ok := bytesHead(f.Reply[p:])
	if !ok || p+head+n > len(f.Reply) || n < StampLength {
		return nil, fmt.Errorf("raw: unexpected reply payload head at %d", p)
	}
	f.ReplyPayload, f.ReplyPayloadLen = p+head, n
	return f, nil
}

// idOffset is the offset of the SURB ID in a v0.0.47 request body, or -1.
// Requests that katzenthin and the captured Go client write put it at
// the same place (after "id" and "with_surb"), so the fixed offset is
// tried first.
func idOffset(body []byte) int {
	const fixed = 0x10 // after {"id": null, "with_surb": true,
	if len(body) >= fixed+len(surbidMarker)+IDLength && bytes.Equal(body[fixed:fixed+len(surbidMarker)], surbidMarker) {
		return fixed + len(surbidMarker)
	}
	i := bytes.Index(body, surbidMarker)
	if i < 0 || i+len(surbidMarker)+IDLength > len(body) {
		return -1
	}
	return i + len(surbidMarker)
}

// bytesHead reads a CBOR byte string head: the string's length and the
// head's.
func bytesHead(b []byte) (n, head int, ok bool) {
	if len(b) == 0 || b[0]>>5 != 2 {
		return 0, 0, false
	}
	switch ai := b[0] & 0x1f; {
	case ai < 24:
		return int(ai), 1, true
	case ai == 24 && len(b) >= 2:
		return int(b[1]), 2, true
	case ai == 25 && len(b) >= 3:
		return int(binary.BigEndian.Uint16(b[1:])), 3, true
	case ai == 26 && len(b) >= 5:
		return int(binary.BigEndian.Uint32(b[1:])), 5, true
	}
	return 0, 0, false
}

// appendBytesHead appends the head of an n-byte CBOR byte string.
func appendBytesHead(dst []byte, n int) []byte {
	switch {
	case n < 24:
		return append(dst, 0x40|byte(n))
	case n < 1<<8:
		return append(dst, 0x58, byte(n))
	case n < 1<<16:
		return binary.BigEndian.AppendUint16(append(dst, 0x59), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(dst, 0x5a), uint32(n))
	}
}

func appendFrame(dst, body []byte) []byte {
	return append(binary.BigEndian.AppendUint32(dst, uint32(len(body))), body...)
}
