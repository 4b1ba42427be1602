package pki

import "golang.org/x/crypto/blake2b"

// ReplicaDescriptor describes a Pigeonhole storage replica. On the wire it
// is, like a node descriptor, a byte string holding a CBOR map. Neither
// captured network had replicas, so its key set is the one PROTOCOL.md 6
// gives. A parsed ReplicaDescriptor is immutable by convention and safe for
// concurrent reads.
type ReplicaDescriptor struct {
	// Name is the replica's operator-chosen name.
	Name string
	// Epoch is the epoch the descriptor was uploaded for.
	Epoch uint64
	// IdentityKey is the replica's public signing key.
	IdentityKey []byte
	// LinkKey is the replica's public wire (link layer) KEM key.
	LinkKey []byte
	// EnvelopeKeys maps an epoch to the replica's public envelope key.
	EnvelopeKeys map[uint64][]byte
	// Addresses maps a transport to the replica's addresses for it.
	Addresses map[string][]string
}

// IdentityHash returns BLAKE2b-256(IdentityKey), as for a MixDescriptor.
func (r *ReplicaDescriptor) IdentityHash() [32]byte {
	return blake2b.Sum256(r.IdentityKey)
}
