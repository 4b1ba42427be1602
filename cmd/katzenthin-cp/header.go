package main

import (
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// The file header of the pigeonhole-cp wire format, which the Rust tool of
// the same name speaks: the first box's plaintext starts with a CBOR map
// of two text keys, in this order, {"name": text, "size": uint}, the way
// serde_cbor encodes a struct { name: String, size: u64 }; the file's
// first bytes follow it in the same box. CBOR items delimit themselves,
// so the receiver finds the file bytes where the map ends. Every later
// box holds only file bytes, and the receiver stops after size bytes.

// maxNameLen is the longest file name in bytes, as on most file systems
// (and the Rust tool's limit).
const maxNameLen = 255

// maxHeaderLen is the longest header: the map head, the two keys, a
// 255-byte name with its two-byte head, and a nine-byte uint.
const maxHeaderLen = 1 + 5 + 2 + maxNameLen + 5 + 9

// header describes the file a stream carries.
type header struct {
	Name string
	Size uint64
}

// headerWire is the header as CBOR carries it. The keys follow the field
// order, as serde_cbor writes them.
type headerWire struct {
	Name string `cbor:"name"`
	Size uint64 `cbor:"size"`
}

// headerDecoded detects missing fields: a field the map lacks stays nil.
type headerDecoded struct {
	Name *string `cbor:"name"`
	Size *uint64 `cbor:"size"`
}

// ErrBadHeader is a first box that does not start with a file header.
var ErrBadHeader = errors.New("the first box holds no pigeonhole-cp file header")

var (
	headerEnc cbor.EncMode
	headerDec cbor.DecMode
)

func init() {
	var err error
	// Definite lengths and the shortest heads, keys in field order: what
	// serde_cbor writes.
	headerEnc, err = cbor.EncOptions{Sort: cbor.SortNone, IndefLength: cbor.IndefLengthForbidden}.EncMode()
	if err != nil {
		panic(err) // the options are constants
	}
	// The input is hostile: only the exact shape is accepted, and nothing
	// in it can make the decoder allocate more than the input's size.
	headerDec, err = cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		MaxNestedLevels:   4,
		MaxMapPairs:       16,
		MaxArrayElements:  16,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
		FieldNameMatching: cbor.FieldNameMatchingCaseSensitive,
		UTF8:              cbor.UTF8RejectInvalid,
	}.DecMode()
	if err != nil {
		panic(err) // the options are constants
	}
}

// encode returns h as the first box's plaintext starts.
func (h header) encode() ([]byte, error) {
	return headerEnc.Marshal(headerWire(h))
}

// decodeHeader reads the header at the start of the first box and returns
// it with the file bytes that follow it. The name is returned as sent:
// check it with checkName before using it.
func decodeHeader(box []byte) (header, []byte, error) {
	if len(box) == 0 {
		return header{}, nil, fmt.Errorf("%w: the box is empty", ErrBadHeader)
	}
	if box[0]>>5 != 5 { // major type 5: a map
		return header{}, nil, fmt.Errorf("%w: it starts with CBOR byte %#02x, not a map", ErrBadHeader, box[0])
	}
	var d headerDecoded
	rest, err := headerDec.UnmarshalFirst(box, &d)
	if err != nil {
		return header{}, nil, fmt.Errorf("%w: %v", ErrBadHeader, err)
	}
	switch {
	case d.Name == nil:
		return header{}, nil, fmt.Errorf("%w: no \"name\"", ErrBadHeader)
	case d.Size == nil:
		return header{}, nil, fmt.Errorf("%w: no \"size\"", ErrBadHeader)
	case len(*d.Name) > maxNameLen:
		return header{}, nil, fmt.Errorf("%w: a name of %d bytes, at most %d", ErrBadHeader, len(*d.Name), maxNameLen)
	}
	return header{Name: *d.Name, Size: *d.Size}, rest, nil
}
