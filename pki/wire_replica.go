package pki

import (
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// wireReplica is a storage replica descriptor as upstream describes it (docs/protocol.md 6) for
// the v0.0.47 generation: six keys, written as a byte string holding the
// map, like a node descriptor.
type wireReplica struct {
	Name         string              `cbor:"Name"`
	Epoch        uint64              `cbor:"Epoch"`
	IdentityKey  []byte              `cbor:"IdentityKey"`
	LinkKey      []byte              `cbor:"LinkKey"`
	EnvelopeKeys map[uint64][]byte   `cbor:"EnvelopeKeys"`
	Addresses    map[string][]string `cbor:"Addresses"`
}

// wireReplicaV1 is a storage replica descriptor as a v0.0.99 daemon writes
// it: the six keys plus ReplicaID, seven in all, as a map inline in the
// StorageReplicas array rather than a byte string (captured in
// testdata/daemon-v0.0.99/pigeonhole; docs/protocol.md 9.9). It is also what
// every replica is decoded into, since its keys include v0's.
type wireReplicaV1 struct {
	wireReplica
	// ReplicaID is a uint8 because the daemon lists the IDs one byte each
	// in ConfiguredReplicaIDs; a larger value is an error, not truncated.
	ReplicaID uint8 `cbor:"ReplicaID"`
}

// replicaList holds the storage replica descriptors read from a document,
// each the bytes of its CBOR map. It decodes both forms: a byte string
// holding the map, as upstream describes them for v0.0.47 (docs/protocol.md 6), and the map
// inline, which is what a v0.0.99 daemon sends. Whatever the form, a
// document's replicas then decode the same way (parseReplicas).
type replicaList [][]byte

// UnmarshalCBOR keeps each element's map bytes: the inner bytes of a
// byte string, an inline map as is, nil for null.
func (l *replicaList) UnmarshalCBOR(data []byte) error {
	var raw []cbor.RawMessage
	if err := decMode.Unmarshal(data, &raw); err != nil {
		return err
	}
	if raw == nil {
		*l = nil
		return nil
	}
	out := make(replicaList, len(raw))
	for i, r := range raw {
		switch {
		case len(r) == 0, r[0] == 0xf6: // null
		case r[0]>>5 == 2: // byte string
			if err := decMode.Unmarshal(r, &out[i]); err != nil {
				return err
			}
		case r[0]>>5 == 5: // inline map
			out[i] = []byte(r)
		default:
			return fmt.Errorf("StorageReplicas[%d]: neither a map nor a byte string", i)
		}
	}
	*l = out
	return nil
}
