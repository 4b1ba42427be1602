package pigeonhole

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/blake2b"
)

// The sizes of the BACAP objects (docs/protocol.md 9.3).
const (
	WriteCapSize        = 168
	ReadCapSize         = 136
	MessageBoxIndexSize = 104
)

// WriteCap is the capability to write a BACAP stream: the stream's root
// private key (64 bytes, seed then public key) followed by the index of
// its first box. It is a secret: whoever holds it can write the stream.
// Formatting it prints no byte of it; MarshalBinary and MarshalText do,
// for persisting it.
type WriteCap [WriteCapSize]byte

// ReadCap is the capability to read a BACAP stream: the root public key
// (32 bytes) followed by the index of the first box. It is a secret too
// (whoever holds it reads the stream), and formats as redacted.
type ReadCap [ReadCapSize]byte

// MessageBoxIndex is a position in a BACAP stream: the counter (Idx64,
// little-endian) in its first 8 bytes, then the blinding factor,
// encryption key and HKDF chain state of that position. The counter of a
// fresh stream is random. Formatting prints the counter only.
type MessageBoxIndex [MessageBoxIndexSize]byte

// ReadCap returns the read capability of w's stream: w's public key and
// first index, write_cap[32:64] ‖ write_cap[64:168].
func (w *WriteCap) ReadCap() ReadCap {
	var r ReadCap
	copy(r[:], w[32:])
	return r
}

// FirstIndex returns the index of the first box w addresses.
func (w *WriteCap) FirstIndex() MessageBoxIndex {
	var i MessageBoxIndex
	copy(i[:], w[64:])
	return i
}

// FirstIndex returns the index of the first box r addresses.
func (r *ReadCap) FirstIndex() MessageBoxIndex {
	var i MessageBoxIndex
	copy(i[:], r[32:])
	return i
}

// Counter returns the index's counter (Idx64). Consecutive boxes have
// consecutive counters; advancing an index needs the daemon.
func (i *MessageBoxIndex) Counter() uint64 { return binary.LittleEndian.Uint64(i[:8]) }

// Hash returns BLAKE2b-256 of w: the handle that cancels a copy command
// whose temporary stream w writes (cancel_resending_copy_command's
// write_cap_hash). Any local process that knows it can cancel that copy:
// keep it private.
func (w *WriteCap) Hash() [32]byte { return blake2b.Sum256(w[:]) }

// MarshalBinary returns a copy of w's 168 bytes.
func (w WriteCap) MarshalBinary() ([]byte, error) { return append([]byte(nil), w[:]...), nil }

// UnmarshalBinary sets w from exactly 168 bytes, or returns an error
// wrapping ErrInvalidLength.
func (w *WriteCap) UnmarshalBinary(b []byte) error { return setFixed(w[:], b, "WriteCap") }

// MarshalText returns w in standard base64 with padding (224 characters).
func (w WriteCap) MarshalText() ([]byte, error) { return marshalText(w[:]), nil }

// UnmarshalText sets w from its MarshalText form.
func (w *WriteCap) UnmarshalText(b []byte) error { return unmarshalText(w[:], b, "WriteCap") }

// MarshalBinary returns a copy of r's 136 bytes.
func (r ReadCap) MarshalBinary() ([]byte, error) { return append([]byte(nil), r[:]...), nil }

// UnmarshalBinary sets r from exactly 136 bytes, or returns an error
// wrapping ErrInvalidLength.
func (r *ReadCap) UnmarshalBinary(b []byte) error { return setFixed(r[:], b, "ReadCap") }

// MarshalText returns r in standard base64 with padding.
func (r ReadCap) MarshalText() ([]byte, error) { return marshalText(r[:]), nil }

// UnmarshalText sets r from its MarshalText form.
func (r *ReadCap) UnmarshalText(b []byte) error { return unmarshalText(r[:], b, "ReadCap") }

// MarshalBinary returns a copy of i's 104 bytes.
func (i MessageBoxIndex) MarshalBinary() ([]byte, error) { return append([]byte(nil), i[:]...), nil }

// UnmarshalBinary sets i from exactly 104 bytes, or returns an error
// wrapping ErrInvalidLength.
func (i *MessageBoxIndex) UnmarshalBinary(b []byte) error {
	return setFixed(i[:], b, "MessageBoxIndex")
}

// MarshalText returns i in standard base64 with padding.
func (i MessageBoxIndex) MarshalText() ([]byte, error) { return marshalText(i[:]), nil }

// UnmarshalText sets i from its MarshalText form.
func (i *MessageBoxIndex) UnmarshalText(b []byte) error {
	return unmarshalText(i[:], b, "MessageBoxIndex")
}

// LengthError is a capability or index of the wrong size.
type LengthError struct {
	Type      string // "WriteCap", "ReadCap" or "MessageBoxIndex"
	Got, Want int
}

// Error says which type and sizes.
func (e *LengthError) Error() string {
	return fmt.Sprintf("pigeonhole: %s of %d bytes, want %d", e.Type, e.Got, e.Want)
}

// Unwrap returns ErrInvalidLength.
func (e *LengthError) Unwrap() error { return ErrInvalidLength }

func setFixed(dst, b []byte, typ string) error {
	if len(b) != len(dst) {
		return &LengthError{Type: typ, Got: len(b), Want: len(dst)}
	}
	copy(dst, b)
	return nil
}

func marshalText(b []byte) []byte {
	return base64.StdEncoding.AppendEncode(nil, b)
}

func unmarshalText(dst, text []byte, typ string) error {
	// Decoding into a buffer of the right size bounds the work: a text
	// longer than the encoding of len(dst) bytes is refused first.
	if base64.StdEncoding.DecodedLen(len(text)) > len(dst)+2 {
		return &LengthError{Type: typ, Got: base64.StdEncoding.DecodedLen(len(text)), Want: len(dst)}
	}
	b, err := base64.StdEncoding.AppendDecode(make([]byte, 0, len(dst)+2), text)
	if err != nil {
		return fmt.Errorf("pigeonhole: %s text: %w", typ, err)
	}
	return setFixed(dst, b, typ)
}
