package pki

import (
	"bytes"
	"iter"
)

// Layer numbers of the nodes that are not mixes; mix layers are 0..n-1.
// They are the numbers Katzenpost itself uses, which is why a document may
// hold at most LayerService (254) mix layers.
const (
	LayerGateway = 255
	LayerService = 254
)

// Document is the network's PKI document for one epoch, as the client daemon
// sends it. Every field of both generations is here under its wire name; the
// fields a generation does not have stay zero (see the package comment).
//
// A Document returned by Parse is never modified by this module: by
// convention it is immutable, so any number of goroutines may read it (and
// call its methods) at once. Whoever builds one by hand must not change it
// after handing it out.
type Document struct {
	// Epoch is the epoch this document is for.
	Epoch uint64
	// GenesisEpoch is the epoch in which the network started.
	GenesisEpoch uint64
	// SendRatePerMinute is the client's send rate limit (v0 only).
	SendRatePerMinute uint64

	// Mu is the rate of the per-hop mixing delay. Mu and the Lambdas are
	// rates of exponential distributions, per millisecond: 0.001 means a
	// mean interval of one second.
	Mu float64
	// MuMaxDelay caps the per-hop delay, in milliseconds (v0 only).
	MuMaxDelay uint64
	// LambdaP is the rate of the client's message sends.
	LambdaP float64
	// LambdaPMaxDelay caps that interval, in milliseconds (v0 only).
	LambdaPMaxDelay uint64
	// LambdaL is the rate of the client's loop decoys.
	LambdaL float64
	// LambdaLMaxDelay caps that interval, in milliseconds (v0 only).
	LambdaLMaxDelay uint64
	// LambdaD is the rate of the client's drop decoys (v0 only).
	LambdaD float64
	// LambdaDMaxDelay caps that interval, in milliseconds (v0 only).
	LambdaDMaxDelay uint64
	// LambdaM is the rate of a mix's loop decoys.
	LambdaM float64
	// LambdaMMaxDelay caps that interval, in milliseconds (v0 only).
	LambdaMMaxDelay uint64
	// LambdaG is the rate of a gateway's loop decoys.
	LambdaG float64
	// LambdaGMaxDelay caps that interval, in milliseconds (v0 only).
	LambdaGMaxDelay uint64
	// LambdaR is the v0.0.99 daemon's extra Poisson rate, in the same
	// units as the other lambdas (v1 only). It is carried, not interpreted.
	LambdaR float64

	// Topology holds the mix layers in path order; Topology[i] is layer i.
	Topology [][]*MixDescriptor
	// GatewayNodes are the nodes clients connect to (layer LayerGateway).
	GatewayNodes []*MixDescriptor
	// ServiceNodes are the nodes that run services (layer LayerService).
	ServiceNodes []*MixDescriptor
	// StorageReplicas are the Pigeonhole storage replicas.
	StorageReplicas []*ReplicaDescriptor
	// ConfiguredReplicaIDs lists the ReplicaIDs of the replica set used
	// for sharding, one byte each, in the daemon's order (v1 only; nil when
	// the network has none, as the daemon then leaves the key out).
	ConfiguredReplicaIDs []byte
	// ConfiguredReplicaIdentityKeys holds the identity keys of that replica
	// set (v1 only; nil when empty, like ConfiguredReplicaIDs).
	ConfiguredReplicaIdentityKeys [][]byte

	// SharedRandomCommit maps an authority's identity hash to its commit.
	SharedRandomCommit map[[32]byte][]byte
	// SharedRandomReveal maps an authority's identity hash to its reveal.
	SharedRandomReveal map[[32]byte][]byte
	// SharedRandomValue is this epoch's shared random value.
	SharedRandomValue []byte
	// PriorSharedRandom holds the shared random values of earlier epochs.
	PriorSharedRandom [][]byte

	// SphinxGeometryHash identifies the network's Sphinx packet geometry.
	SphinxGeometryHash []byte
	// Version is the document format: "v0" (daemon v0.0.47) or "v1"
	// (daemon v0.0.99). Marshal picks the key set from it.
	Version string
	// PKISignatureScheme names the authorities' signature scheme, e.g. "Ed25519".
	PKISignatureScheme string
}

// isV1 reports whether d uses the v0.0.99 key set. Only "v1" does; any
// other version, including none, is written and summarised as v0 because
// that is the format older daemons and the mock speak.
func (d *Document) isV1() bool { return d.Version == "v1" }

// Nodes yields every mix, then every gateway, then every service node, in
// document order. Nil entries (possible only in hand-built documents) are
// skipped. A nil document yields nothing.
func (d *Document) Nodes() iter.Seq[*MixDescriptor] {
	return func(yield func(*MixDescriptor) bool) {
		if d == nil {
			return
		}
		for _, layer := range d.Topology {
			for _, m := range layer {
				if m != nil && !yield(m) {
					return
				}
			}
		}
		for _, group := range [][]*MixDescriptor{d.GatewayNodes, d.ServiceNodes} {
			for _, m := range group {
				if m != nil && !yield(m) {
					return
				}
			}
		}
	}
}

// Node returns the first node (in Nodes order) with the given name.
func (d *Document) Node(name string) (*MixDescriptor, bool) {
	for m := range d.Nodes() {
		if m.Name == name {
			return m, true
		}
	}
	return nil, false
}

// NodeByIdentityHash returns the first node whose IdentityHash is h: the
// node a send's destination_id_hash points at.
func (d *Document) NodeByIdentityHash(h [32]byte) (*MixDescriptor, bool) {
	for m := range d.Nodes() {
		if m.IdentityHash() == h {
			return m, true
		}
	}
	return nil, false
}

// Layer returns m's layer: its index in Topology for a mix, LayerGateway for
// a gateway, LayerService for a service node. m matches a node of d when it
// is the same pointer or has the same non-empty IdentityKey, so a descriptor
// taken from another parse of the document (or from another epoch's
// document) is found too. The result is false when d has no such node.
func (d *Document) Layer(m *MixDescriptor) (int, bool) {
	if d == nil || m == nil {
		return 0, false
	}
	same := func(n *MixDescriptor) bool {
		return n != nil && (n == m || (len(m.IdentityKey) > 0 && bytes.Equal(n.IdentityKey, m.IdentityKey)))
	}
	for i, layer := range d.Topology {
		for _, n := range layer {
			if same(n) {
				return i, true
			}
		}
	}
	for _, n := range d.GatewayNodes {
		if same(n) {
			return LayerGateway, true
		}
	}
	for _, n := range d.ServiceNodes {
		if same(n) {
			return LayerService, true
		}
	}
	return 0, false
}
