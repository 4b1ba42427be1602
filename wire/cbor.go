package wire

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// CBOR major types, shifted into the initial byte.
const (
	majorUint  = 0 << 5
	majorNint  = 1 << 5
	majorBytes = 2 << 5
	majorText  = 3 << 5
	majorArray = 4 << 5
	majorMap   = 5 << 5

	cborFalse = 0xf4
	cborTrue  = 0xf5
	cborNull  = 0xf6
)

// Decoding limits. A frame is at most the reader's limit; these bound what
// one frame can make the decoder allocate beyond its own size and how deep
// it can recurse.
var decMode = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		MaxNestedLevels:  16,
		MaxArrayElements: 1 << 16,
		MaxMapPairs:      1 << 16,
		IndefLength:      cbor.IndefLengthAllowed,
		DupMapKey:        cbor.DupMapKeyQuiet,
		// The daemon matches keys exactly (Go field tags, case-sensitive).
		FieldNameMatching: cbor.FieldNameMatchingCaseSensitive,
	}.DecMode()
	if err != nil {
		panic(err) // the options above are constant
	}
	return dm
}()

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

func appendText(dst []byte, s string) []byte {
	return append(appendHead(dst, majorText, uint64(len(s))), s...)
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

func appendInt(dst []byte, v int64) []byte {
	if v < 0 {
		return appendHead(dst, majorNint, uint64(-(v + 1)))
	}
	return appendHead(dst, majorUint, uint64(v))
}

// appendUnixSeconds writes t as the daemon does: an untagged integer of
// Unix seconds, the fraction dropped.
func appendUnixSeconds(dst []byte, t time.Time) []byte {
	return appendInt(dst, t.Unix())
}

// appendKey appends a text key; keys are constants, so this is appendText
// under a name that reads as a map entry.
func appendKey(dst []byte, k string) []byte { return appendText(dst, k) }
