package channel

import (
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"

	"github.com/katzenthin/katzenthin/pigeonhole"
)

// The stored forms of State and Record: CBOR maps with integer keys and
// a version, so that a later version can tell them apart. Decoding
// refuses anything else with an error wrapping ErrCorrupt.

const codecVersion = 1

type stateWire struct {
	Version  uint8  `cbor:"0,keyasint"`
	Name     string `cbor:"1,keyasint"`
	Kind     uint8  `cbor:"2,keyasint"`
	WriteCap []byte `cbor:"3,keyasint,omitempty"`
	ReadCap  []byte `cbor:"4,keyasint"`
	Start    []byte `cbor:"5,keyasint"`
	Next     []byte `cbor:"6,keyasint"`
	NextSeq  uint64 `cbor:"7,keyasint"`
	End      []byte `cbor:"8,keyasint"`
	EndSeq   uint64 `cbor:"9,keyasint"`
}

// The kinds of Record in its stored form.
const (
	recordEnvelope = 1
	recordCopy     = 2
	recordMessage  = 3
)

type recordWire struct {
	Version    uint8  `cbor:"0,keyasint"`
	Seq        uint64 `cbor:"1,keyasint"`
	Index      []byte `cbor:"2,keyasint"`
	Kind       uint8  `cbor:"3,keyasint"`
	Ciphertext []byte `cbor:"4,keyasint,omitempty"`
	Descriptor []byte `cbor:"5,keyasint,omitempty"`
	Hash       []byte `cbor:"6,keyasint,omitempty"`
	EnvNext    []byte `cbor:"7,keyasint,omitempty"`
	CopyCap    []byte `cbor:"8,keyasint,omitempty"`
	Message    []byte `cbor:"9,keyasint,omitempty"`
}

var decMode = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		MaxNestedLevels:   4,
		MaxArrayElements:  16,
		MaxMapPairs:       16,
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
	}.DecMode()
	if err != nil {
		panic(err) // the options are constants
	}
	return dm
}()

func corrupt(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, a...))
}

// MarshalBinary encodes s for a store that keeps bytes.
func (s State) MarshalBinary() ([]byte, error) {
	w := stateWire{Version: codecVersion, Name: s.Name, Kind: uint8(s.Kind), ReadCap: s.ReadCap[:], Start: s.Start[:], Next: s.Next[:], NextSeq: s.NextSeq, End: s.End[:], EndSeq: s.EndSeq}
	if s.Kind == KindWrite {
		w.WriteCap = s.WriteCap[:]
	}
	return cbor.Marshal(w)
}

// UnmarshalBinary decodes the MarshalBinary form; anything else fails
// with an error wrapping ErrCorrupt.
func (s *State) UnmarshalBinary(b []byte) error {
	var w stateWire
	if err := decMode.Unmarshal(b, &w); err != nil {
		return corrupt("channel state: %v", err)
	}
	if w.Version != codecVersion {
		return corrupt("channel state version %d, want %d", w.Version, codecVersion)
	}
	var out State
	out.Name = w.Name
	out.Kind = Kind(w.Kind)
	out.NextSeq, out.EndSeq = w.NextSeq, w.EndSeq
	if err := checkName(out.Name); err != nil {
		return corrupt("channel state: %v", err)
	}
	switch out.Kind {
	case KindWrite:
		if err := out.WriteCap.UnmarshalBinary(w.WriteCap); err != nil {
			return corrupt("channel state: write cap: %v", err)
		}
	case KindRead:
		if w.WriteCap != nil {
			return corrupt("channel state: a read channel with a write cap")
		}
	default:
		return corrupt("channel state: kind %d", w.Kind)
	}
	for _, f := range []struct {
		dst interface{ UnmarshalBinary([]byte) error }
		src []byte
	}{{&out.ReadCap, w.ReadCap}, {&out.Start, w.Start}, {&out.Next, w.Next}, {&out.End, w.End}} {
		if err := f.dst.UnmarshalBinary(f.src); err != nil {
			return corrupt("channel state: %v", err)
		}
	}
	if out.EndSeq < out.NextSeq {
		return corrupt("channel state: end sequence %d before next %d", out.EndSeq, out.NextSeq)
	}
	*s = out
	return nil
}

// MarshalBinary encodes r for a store that keeps bytes.
func (r Record) MarshalBinary() ([]byte, error) {
	w := recordWire{Version: codecVersion, Seq: r.Seq, Index: r.Index[:]}
	switch {
	case r.Envelope != nil && r.CopyCap == nil && r.Message == nil:
		w.Kind = recordEnvelope
		w.Ciphertext = r.Envelope.Ciphertext
		w.Descriptor = r.Envelope.Descriptor
		w.Hash = r.Envelope.Hash[:]
		w.EnvNext = r.Envelope.Next[:]
	case r.CopyCap != nil && r.Envelope == nil && r.Message == nil:
		w.Kind = recordCopy
		w.CopyCap = r.CopyCap[:]
	case r.Message != nil && r.Envelope == nil && r.CopyCap == nil:
		w.Kind = recordMessage
		w.Message = r.Message
	default:
		return nil, errors.New("channel: a Record needs exactly one of Envelope, CopyCap and Message")
	}
	return cbor.Marshal(w)
}

// UnmarshalBinary decodes the MarshalBinary form; anything else fails
// with an error wrapping ErrCorrupt.
func (r *Record) UnmarshalBinary(b []byte) error {
	var w recordWire
	if err := decMode.Unmarshal(b, &w); err != nil {
		return corrupt("channel record: %v", err)
	}
	if w.Version != codecVersion {
		return corrupt("channel record version %d, want %d", w.Version, codecVersion)
	}
	out := Record{Seq: w.Seq}
	if err := out.Index.UnmarshalBinary(w.Index); err != nil {
		return corrupt("channel record: %v", err)
	}
	switch w.Kind {
	case recordEnvelope:
		if len(w.Ciphertext) == 0 || len(w.Descriptor) == 0 || len(w.Hash) != 32 || w.CopyCap != nil || w.Message != nil {
			return corrupt("channel record: malformed envelope")
		}
		env := &pigeonhole.Envelope{Ciphertext: w.Ciphertext, Descriptor: w.Descriptor}
		copy(env.Hash[:], w.Hash)
		if err := env.Next.UnmarshalBinary(w.EnvNext); err != nil {
			return corrupt("channel record: %v", err)
		}
		out.Envelope = env
	case recordCopy:
		if w.Ciphertext != nil || w.Message != nil {
			return corrupt("channel record: malformed copy")
		}
		var c pigeonhole.WriteCap
		if err := c.UnmarshalBinary(w.CopyCap); err != nil {
			return corrupt("channel record: copy cap: %v", err)
		}
		out.CopyCap = &c
	case recordMessage:
		if w.Ciphertext != nil || w.CopyCap != nil {
			return corrupt("channel record: malformed message")
		}
		out.Message = w.Message
		if out.Message == nil {
			out.Message = []byte{}
		}
	default:
		return corrupt("channel record: kind %d", w.Kind)
	}
	*r = out
	return nil
}

// clone returns a deep copy of r, for stores that keep records in
// memory.
func (r Record) clone() Record {
	out := Record{Seq: r.Seq, Index: r.Index}
	if r.Envelope != nil {
		env := *r.Envelope
		env.Ciphertext = append([]byte(nil), env.Ciphertext...)
		env.Descriptor = append([]byte(nil), env.Descriptor...)
		out.Envelope = &env
	}
	if r.CopyCap != nil {
		c := *r.CopyCap
		out.CopyCap = &c
	}
	if r.Message != nil {
		out.Message = append([]byte{}, r.Message...)
	}
	return out
}

// check refuses a Record that does not have exactly one kind.
func (r Record) check() error {
	n := 0
	if r.Envelope != nil {
		n++
	}
	if r.CopyCap != nil {
		n++
	}
	if r.Message != nil {
		n++
	}
	if n != 1 {
		return errors.New("channel: a Record needs exactly one of Envelope, CopyCap and Message")
	}
	return nil
}
