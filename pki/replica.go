package pki

import "golang.org/x/crypto/blake2b"

// ReplicaDescriptor describes a Pigeonhole storage replica. Unlike a node
// descriptor, a v0.0.99 daemon writes it as a CBOR map inline in the
// document, with the seven keys below (captured). For v0.0.47, whose
// captures have no replicas, upstream's description (docs/protocol.md 6) gives a byte string holding the
// map and no ReplicaID; Parse reads both forms and Marshal writes the one
// of the document's generation. A parsed ReplicaDescriptor is immutable by
// convention and safe for concurrent reads.
type ReplicaDescriptor struct {
	// Name is the replica's operator-chosen name.
	Name string
	// ReplicaID is the replica's number in the replica set (v1 only);
	// Document.ConfiguredReplicaIDs lists them.
	ReplicaID uint8
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
