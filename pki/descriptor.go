package pki

import (
	"encoding/hex"

	"golang.org/x/crypto/blake2b"
)

// MixDescriptor describes one node: a mix, a gateway or a service node.
// Like Document, a parsed MixDescriptor is immutable by convention and safe
// for concurrent reads.
type MixDescriptor struct {
	// Name is the node's operator-chosen name, e.g. "mix1".
	Name string
	// Epoch is the epoch the descriptor was uploaded for; it may be one
	// behind the document's (the v0.0.47 capture shows that).
	Epoch uint64
	// IdentityKey is the node's public signing key; see IdentityHash.
	IdentityKey []byte
	// LinkKey is the node's public wire (link layer) KEM key.
	LinkKey []byte
	// MixKeys maps an epoch to the node's public Sphinx key for it.
	MixKeys map[uint64][]byte
	// Addresses maps a transport ("tcp4", "quic", ...) to the node's
	// addresses for it, e.g. "tcp4" → ["tcp://127.0.0.1:30004"].
	Addresses map[string][]string

	// Services maps a capability ("echo", "spool", ...) to its parameters;
	// the "endpoint" parameter is the service's recipient queue (see
	// Endpoint). On the wire the map is under the literal key "omitempty"
	// in v0 documents (a struct-tag slip in the v0.0.47 daemon) and under
	// "Kaetzchen" in v1 documents. Nil for nodes without services.
	// Parameter values are what CBOR gives an interface: string, uint64,
	// int64, float64, bool, []byte, nil, []any and map[any]any.
	Services map[string]map[string]any
	// AdvertizedData maps a capability to data the service publishes, such
	// as the courier's link key (wire key "KaetzchenAdvertizedData", v1
	// only; the spelling is the daemon's). Nil when there is none.
	AdvertizedData map[string]map[string]any

	// IsGatewayNode is set on gateways.
	IsGatewayNode bool
	// IsServiceNode is set on service nodes.
	IsServiceNode bool
	// LoadWeight is the node's relative load weight (0 in the captures).
	LoadWeight uint8
	// AuthenticationType is how clients authenticate to a gateway, e.g.
	// "tofu"; empty on other nodes.
	AuthenticationType string
	// Version is the node's software version, empty in the captures.
	Version string
}

// IdentityHash returns BLAKE2b-256(IdentityKey): the value a send request
// carries as destination_id_hash to address this node.
func (m *MixDescriptor) IdentityHash() [32]byte {
	return blake2b.Sum256(m.IdentityKey)
}

// Endpoint returns the recipient queue of the node's capability: the text
// "endpoint" parameter of Services[capability]. ok is false when the node
// does not offer the capability or its endpoint is missing, not text, or
// empty (an empty queue cannot be addressed). A nil descriptor has none.
func (m *MixDescriptor) Endpoint(capability string) (queue string, ok bool) {
	if m == nil {
		return "", false
	}
	queue, ok = m.Services[capability]["endpoint"].(string)
	if !ok || queue == "" {
		return "", false
	}
	return queue, true
}

// String returns the node's name and the start of its identity hash, enough
// to tell nodes apart in logs.
func (m *MixDescriptor) String() string {
	if m == nil {
		return "<nil>"
	}
	h := m.IdentityHash()
	return m.Name + " (" + hex.EncodeToString(h[:8]) + ")"
}
