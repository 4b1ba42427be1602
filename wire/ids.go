package wire

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// IDLength is the length of every identifier in the protocol: SURB IDs,
// message IDs, query IDs, app IDs and instance tokens.
const IDLength = 16

// SURBID names a single-use reply block: the client's key for matching a
// reply to a SURB send.
type SURBID [IDLength]byte

// MessageID names a reliable (ARQ) message across its retransmissions.
type MessageID [IDLength]byte

// QueryID matches a get_pki_document request to its reply (v0.0.99).
type QueryID [IDLength]byte

// Token is a 16-byte token: the client's session token and the daemon's
// instance token and app ID (v0.0.99).
type Token [IDLength]byte

// NewSURBID returns a SURB ID from crypto/rand.
func NewSURBID() SURBID { return SURBID(randomID()) }

// NewMessageID returns a message ID from crypto/rand.
func NewMessageID() MessageID { return MessageID(randomID()) }

// NewQueryID returns a query ID from crypto/rand.
func NewQueryID() QueryID { return QueryID(randomID()) }

// NewToken returns a token from crypto/rand.
func NewToken() Token { return Token(randomID()) }

// randomID draws 16 bytes from crypto/rand, which never fails on the
// platforms Go supports (it panics itself if the kernel source is broken).
func randomID() (id [IDLength]byte) {
	rand.Read(id[:])
	return id
}

// String returns the ID in hex.
func (id SURBID) String() string { return hex.EncodeToString(id[:]) }

// String returns the ID in hex.
func (id MessageID) String() string { return hex.EncodeToString(id[:]) }

// String returns the ID in hex.
func (id QueryID) String() string { return hex.EncodeToString(id[:]) }

// String returns the token in hex.
func (id Token) String() string { return hex.EncodeToString(id[:]) }

// UnmarshalCBOR accepts exactly a 16-byte byte string.
func (id *SURBID) UnmarshalCBOR(b []byte) error { return decodeID((*[IDLength]byte)(id), b) }

// UnmarshalCBOR accepts exactly a 16-byte byte string.
func (id *MessageID) UnmarshalCBOR(b []byte) error { return decodeID((*[IDLength]byte)(id), b) }

// UnmarshalCBOR accepts exactly a 16-byte byte string.
func (id *QueryID) UnmarshalCBOR(b []byte) error { return decodeID((*[IDLength]byte)(id), b) }

// UnmarshalCBOR accepts exactly a 16-byte byte string.
func (id *Token) UnmarshalCBOR(b []byte) error { return decodeID((*[IDLength]byte)(id), b) }

// decodeID takes the common encoding (0x50 then 16 bytes) without
// allocating and falls back to the general decoder for other valid forms
// (indefinite length), which must still hold exactly 16 bytes.
func decodeID(dst *[IDLength]byte, b []byte) error {
	if len(b) == 1+IDLength && b[0] == majorBytes|IDLength {
		copy(dst[:], b[1:])
		return nil
	}
	var raw []byte
	if err := decMode.Unmarshal(b, &raw); err != nil {
		return err
	}
	if len(raw) != IDLength {
		return fmt.Errorf("identifier of %d bytes, want %d", len(raw), IDLength)
	}
	copy(dst[:], raw)
	return nil
}

var _ cbor.Unmarshaler = (*SURBID)(nil)
