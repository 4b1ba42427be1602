package service

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"math/big"

	"github.com/katzenthin/katzenthin/pki"
)

// Descriptor is one node's offer of one capability. Node points into the
// document it was found in and must not be modified.
type Descriptor struct {
	Capability string
	Queue      []byte
	Node       *pki.MixDescriptor
}

// Destination returns where to send to this service: the node's identity
// hash and a copy of the queue. A Descriptor without a Node gives a zero
// NodeHash, which Destination.Validate refuses.
func (d Descriptor) Destination() Destination {
	dst := Destination{Queue: bytes.Clone(d.Queue)}
	if d.Node != nil {
		dst.NodeHash = d.Node.IdentityHash()
	}
	return dst
}

// String names the capability, the node and the queue, for logs.
func (d Descriptor) String() string {
	return fmt.Sprintf("%s at %v queue %q", d.Capability, d.Node, d.Queue)
}

// Find returns every service node of doc that offers capability, in
// document order, or nil if none does. A node offers it when its services
// map has the capability with a text "endpoint" that is a valid queue
// (1..MaxQueueLength bytes): an entry that could never be sent to is left
// out rather than handed to Pick. Only doc.ServiceNodes are searched; nil
// nodes and a nil doc are skipped. Each Descriptor has its own Queue.
func Find(doc *pki.Document, capability string) []Descriptor {
	if doc == nil {
		return nil
	}
	var found []Descriptor
	for _, node := range doc.ServiceNodes {
		queue, ok := node.Endpoint(capability) // nil-safe
		if !ok || len(queue) > MaxQueueLength {
			continue
		}
		found = append(found, Descriptor{Capability: capability, Queue: []byte(queue), Node: node})
	}
	return found
}

// Pick returns one of the nodes Find returns, chosen uniformly with
// crypto/rand so that the choice cannot be predicted or steered. The error
// wraps ErrNotFound, naming the capability, when no node offers it.
func Pick(doc *pki.Document, capability string) (Descriptor, error) {
	found := Find(doc, capability)
	switch len(found) {
	case 0:
		return Descriptor{}, fmt.Errorf("%w: no service node offers %q", ErrNotFound, capability)
	case 1:
		return found[0], nil
	}
	i, err := rand.Int(rand.Reader, big.NewInt(int64(len(found))))
	if err != nil {
		// crypto/rand does not fail on supported platforms; say so if it does.
		return Descriptor{}, fmt.Errorf("service: picking among %d %q nodes: %w", len(found), capability, err)
	}
	return found[i.Int64()], nil
}
