package pki

import "fmt"

// inlineReplicas converts the storage replicas to the v1 wire form, which
// the document's encoder writes as maps inline in the array, as a v0.0.99
// daemon does. A nil list stays nil (null on the wire), an empty one empty.
func inlineReplicas(replicas []*ReplicaDescriptor) ([]*wireReplicaV1, error) {
	if replicas == nil {
		return nil, nil
	}
	out := make([]*wireReplicaV1, len(replicas))
	for i, r := range replicas {
		if r == nil {
			return nil, invalid(fmt.Sprintf("StorageReplicas[%d]", i), errNullDescriptor)
		}
		out[i] = &wireReplicaV1{wireReplica: toWireReplica(r), ReplicaID: r.ReplicaID}
	}
	return out, nil
}

// replicaBytes encodes each storage replica to its own byte string, the v0
// form (see wireDocV0), like marshalNodes does for nodes.
func replicaBytes(replicas []*ReplicaDescriptor) ([][]byte, error) {
	if replicas == nil {
		return nil, nil
	}
	out := make([][]byte, len(replicas))
	for i, r := range replicas {
		err := errNullDescriptor
		if r != nil {
			w := toWireReplica(r)
			out[i], err = encMode.Marshal(&w)
		}
		if err != nil {
			return nil, invalid(fmt.Sprintf("StorageReplicas[%d]", i), err)
		}
	}
	return out, nil
}

// toWireReplica copies the keys both generations have.
func toWireReplica(r *ReplicaDescriptor) wireReplica {
	return wireReplica{
		Name:         r.Name,
		Epoch:        r.Epoch,
		IdentityKey:  r.IdentityKey,
		LinkKey:      r.LinkKey,
		EnvelopeKeys: r.EnvelopeKeys,
		Addresses:    r.Addresses,
	}
}
