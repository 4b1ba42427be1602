package wire

import "time"

// ConnectionStatusEvent reports the daemon's link to the mixnet. The first
// frame on every connection is one. From v0.0.99 on it also carries the
// daemon's instance token and geometries.
type ConnectionStatusEvent struct {
	IsConnected        bool                `cbor:"is_connected"`
	Err                *DaemonError        `cbor:"err"`
	InstanceToken      *Token              `cbor:"instance_token"`      // v0.0.99: one per daemon process
	SphinxGeometry     *SphinxGeometry     `cbor:"sphinx_geometry"`     // v0.0.99
	PigeonholeGeometry *PigeonholeGeometry `cbor:"pigeonhole_geometry"` // v0.0.99
}

// SphinxGeometry is the daemon's Sphinx packet geometry (v0.0.99).
// UserForwardPayloadLength is the largest payload a send may carry and
// ForwardPayloadLength the size replies are padded to.
type SphinxGeometry struct {
	PacketLength                int    `cbor:"PacketLength"`
	NrHops                      int    `cbor:"NrHops"`
	HeaderLength                int    `cbor:"HeaderLength"`
	RoutingInfoLength           int    `cbor:"RoutingInfoLength"`
	PerHopRoutingInfoLength     int    `cbor:"PerHopRoutingInfoLength"`
	SURBLength                  int    `cbor:"SURBLength"`
	SphinxPlaintextHeaderLength int    `cbor:"SphinxPlaintextHeaderLength"`
	PayloadTagLength            int    `cbor:"PayloadTagLength"`
	ForwardPayloadLength        int    `cbor:"ForwardPayloadLength"`
	UserForwardPayloadLength    int    `cbor:"UserForwardPayloadLength"`
	NextNodeHopLength           int    `cbor:"NextNodeHopLength"`
	SPRPKeyMaterialLength       int    `cbor:"SPRPKeyMaterialLength"`
	NIKEName                    string `cbor:"NIKEName"`
	KEMName                     string `cbor:"KEMName"`
}

// PigeonholeGeometry is the daemon's Pigeonhole geometry (v0.0.99): the
// box payload limit and the sizes of courier queries (docs/protocol.md 9.4).
type PigeonholeGeometry struct {
	MaxPlaintextPayloadLength    int    `cbor:"MaxPlaintextPayloadLength"`
	CourierQueryReadLength       int    `cbor:"CourierQueryReadLength"`
	CourierQueryWriteLength      int    `cbor:"CourierQueryWriteLength"`
	CourierQueryReplyReadLength  int    `cbor:"CourierQueryReplyReadLength"`
	CourierQueryReplyWriteLength int    `cbor:"CourierQueryReplyWriteLength"`
	NIKEName                     string `cbor:"NIKEName"`
	SignatureSchemeName          string `cbor:"SignatureSchemeName"`
}

// NewPKIDocumentEvent carries the daemon's current PKI document (package
// pki parses it). In v0.0.99 the payload may be empty while the daemon has
// no document yet.
type NewPKIDocumentEvent struct {
	Payload []byte `cbor:"payload"`
}

// MessageSentEvent says the daemon put a SURB or ARQ send on the wire, or
// (Err set) that the send failed.
type MessageSentEvent struct {
	MessageID *MessageID    `cbor:"message_id"`    // ARQ: the request's ID
	SURBID    *SURBID       `cbor:"surbid"`        // ARQ: the daemon's own SURB ID
	SentAt    time.Time     `cbor:"sent_at"`       // Unix seconds on the wire; zero if null
	ReplyETA  time.Duration `cbor:"reply_eta"`     // nanoseconds on the wire
	Err       *DaemonError  `cbor:"err,omitempty"` // v0.0.99 leaves it out when nil
}

// MessageReplyEvent delivers a reply (zero-padded to the SURB payload
// size), or (Err set, or ErrorCode non-zero in v0.0.99) a failure.
type MessageReplyEvent struct {
	MessageID  *MessageID   `cbor:"message_id"` // ARQ sends only
	SURBID     *SURBID      `cbor:"surbid"`
	Payload    []byte       `cbor:"payload"`
	Err        *DaemonError `cbor:"err,omitempty"`         // v0.0.47
	ErrorCode  ErrorCode    `cbor:"error_code"`            // v0.0.99
	ReplyIndex *uint8       `cbor:"reply_index,omitempty"` // v0.0.99
}

// MessageIDGarbageCollected says the daemon forgot an ARQ message ID. The
// v0.0.47 daemon's timer is buggy: treat it as a hint.
type MessageIDGarbageCollected struct {
	MessageID *MessageID `cbor:"message_id"`
}

// ShutdownEvent says the daemon is shutting down; it is the empty map.
type ShutdownEvent struct{}

// SessionTokenReply ends the v0.0.99 handshake: the application's ID and
// whether its earlier session was resumed.
type SessionTokenReply struct {
	AppID   *Token `cbor:"app_id"`
	Resumed bool   `cbor:"resumed"`
}

// GetPKIDocumentReply answers a GetPKIDocument request (v0.0.99). Payload
// is the signed certificate whose Certified field holds the document.
type GetPKIDocumentReply struct {
	QueryID   *QueryID  `cbor:"query_id"`
	Payload   []byte    `cbor:"payload"`
	Epoch     uint64    `cbor:"epoch"`
	ErrorCode ErrorCode `cbor:"error_code"`
}
