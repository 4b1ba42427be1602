package wire

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/fxamacker/cbor/v2"
)

// CBOR major types, shifted into the initial byte.
const (
	majorUint  = 0 << 5
	majorBytes = 2 << 5
	majorText  = 3 << 5
	majorMap   = 5 << 5

	cborFalse = 0xf4
	cborTrue  = 0xf5
	cborNull  = 0xf6
)

// decMode bounds what one frame can make the decoder allocate beyond its
// own size and how deep it can recurse. Keys match exactly, as the
// daemon's Go field tags do.
var decMode = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		MaxNestedLevels:   16,
		MaxArrayElements:  1 << 16,
		MaxMapPairs:       1 << 16,
		IndefLength:       cbor.IndefLengthAllowed,
		DupMapKey:         cbor.DupMapKeyQuiet,
		FieldNameMatching: cbor.FieldNameMatchingCaseSensitive,
	}.DecMode()
	if err != nil {
		panic(err) // the options above are constant
	}
	return dm
}()

// encMode writes what the daemon's Go types write (docs/protocol.md 9.2):
// struct fields in declaration order, nil slices and pointers as null,
// omitempty fields left out when empty, times as integer Unix seconds.
var encMode = func() cbor.UserBufferEncMode {
	em, err := cbor.EncOptions{Time: cbor.TimeUnix}.UserBufferEncMode()
	if err != nil {
		panic(err) // the options above are constant
	}
	return em
}()

// encoder is the scratch space of one encoding. The library writes into a
// bytes.Buffer that it takes by pointer, so the buffer escapes; and a
// v0.0.47 response is converted to its envelope first. Reusing encoders
// keeps a daemon's events (the mock's, when it is the daemon) free of
// allocations.
type encoder struct {
	buf bytes.Buffer // wraps the caller's dst during an encoding
	r47 response47
}

// encoders holds idle encoders. It is a channel rather than a sync.Pool,
// which drops entries at random under the race detector and so would make
// allocation counts depend on the build.
var encoders = make(chan *encoder, 64)

func getEncoder() *encoder {
	select {
	case e := <-encoders:
		return e
	default:
		return new(encoder)
	}
}

func putEncoder(e *encoder) {
	*e = encoder{} // keep no caller memory
	select {
	case encoders <- e:
	default:
	}
}

// appendCBOR appends the encoding of v, one of this package's message
// types, to dst; e is an encoder the caller holds, or nil.
func appendCBOR(dst []byte, v any, e *encoder) []byte {
	if e == nil {
		e = getEncoder()
		defer putEncoder(e)
	}
	e.buf = *bytes.NewBuffer(dst)
	if err := encMode.MarshalToBuffer(v, &e.buf); err != nil {
		// The message types hold only encodable fields: an error here is
		// a bug in this package, not bad input.
		panic(fmt.Sprintf("wire: encoding %T: %v", v, err))
	}
	dst = e.buf.Bytes()
	e.buf = bytes.Buffer{}
	return dst
}

// appendHead appends a CBOR initial byte with its argument in the
// shortest form.
func appendHead(dst []byte, major byte, n uint64) []byte {
	switch {
	case n < 24:
		return append(dst, major|byte(n))
	case n <= math.MaxUint8:
		return append(dst, major|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, major|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, major|26), uint32(n))
	default:
		return binary.BigEndian.AppendUint64(append(dst, major|27), n)
	}
}

// appendKey appends a map key (a text string).
func appendKey(dst []byte, k string) []byte {
	return append(appendHead(dst, majorText, uint64(len(k))), k...)
}

// appendBytes appends b as a byte string, or null when b is nil, as Go's
// encoder writes a nil []byte.
func appendBytes(dst, b []byte) []byte {
	if b == nil {
		return append(dst, cborNull)
	}
	return append(appendHead(dst, majorBytes, uint64(len(b))), b...)
}

func appendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, cborTrue)
	}
	return append(dst, cborFalse)
}

// appendID appends id as a 16-byte byte string, or null when id is nil.
func appendID(dst []byte, id *[IDLength]byte) []byte {
	if id == nil {
		return append(dst, cborNull)
	}
	return append(append(dst, majorBytes|IDLength), id[:]...)
}
