package pki

import (
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// Parse decodes a PKI document as the daemon sends it in
// new_pki_document_event.payload, of either generation (package comment).
//
// Keys are matched by name, never by position: the daemon sends the same
// document in canonical order on connect and in struct order later. Unknown
// keys are ignored so that a newer daemon's additions do not break older
// clients; a known key of the wrong type is an error. Node descriptors are
// byte strings holding their own CBOR map and are decoded in a second step;
// storage replicas may be such byte strings or maps inline (what a v0.0.99
// daemon sends), in any mixture.
// A descriptor's services may be under "omitempty" or "Kaetzchen" whatever
// the document's Version; both at once is an error, since nothing says which
// to believe.
//
// Parse checks form only: no signatures (the daemon strips them), no
// topology rules. Every error wraps ErrInvalidDocument; hostile input gives
// an error, never a panic, and Parse allocates in proportion to the input's
// size (see MaxNodes and the decoder limits). Null and empty
// arrays and maps stay distinct (nil vs empty) so that Marshal can write
// back what was read; the exceptions are ConfiguredReplicaIDs and
// ConfiguredReplicaIdentityKeys, nil when empty because the daemon leaves
// them out then and so does Marshal. The result shares no memory with b.
func Parse(b []byte) (*Document, error) {
	// Decoding into a pointer tells a null document (the pointer stays
	// nil) from an empty map, which decoding into a struct would not.
	var w *wireDocIn
	if err := decMode.Unmarshal(b, &w); err != nil {
		return nil, invalid("document", err)
	}
	if w == nil {
		return nil, invalid("document is null", nil)
	}
	if err := checkSize(w); err != nil {
		return nil, err
	}

	d := &Document{
		Epoch:              w.Epoch,
		GenesisEpoch:       w.GenesisEpoch,
		SendRatePerMinute:  w.SendRatePerMinute,
		Mu:                 w.Mu,
		MuMaxDelay:         w.MuMaxDelay,
		LambdaP:            w.LambdaP,
		LambdaPMaxDelay:    w.LambdaPMaxDelay,
		LambdaL:            w.LambdaL,
		LambdaLMaxDelay:    w.LambdaLMaxDelay,
		LambdaD:            w.LambdaD,
		LambdaDMaxDelay:    w.LambdaDMaxDelay,
		LambdaM:            w.LambdaM,
		LambdaMMaxDelay:    w.LambdaMMaxDelay,
		LambdaG:            w.LambdaG,
		LambdaGMaxDelay:    w.LambdaGMaxDelay,
		LambdaR:            w.LambdaR,
		SharedRandomValue:  w.SharedRandomValue,
		PriorSharedRandom:  w.PriorSharedRandom,
		SphinxGeometryHash: w.SphinxGeometryHash,
		Version:            w.Version,
		PKISignatureScheme: w.PKISignatureScheme,
	}
	if len(w.ConfiguredReplicaIDs) > 0 {
		d.ConfiguredReplicaIDs = w.ConfiguredReplicaIDs
	}
	if len(w.ConfiguredReplicaIdentityKeys) > 0 {
		d.ConfiguredReplicaIdentityKeys = w.ConfiguredReplicaIdentityKeys
	}

	var err error
	if w.Topology != nil {
		d.Topology = make([][]*MixDescriptor, len(w.Topology))
		for i, layer := range w.Topology {
			if d.Topology[i], err = parseNodes(layer, fmt.Sprintf("Topology[%d]", i)); err != nil {
				return nil, err
			}
		}
	}
	if d.GatewayNodes, err = parseNodes(w.GatewayNodes, "GatewayNodes"); err != nil {
		return nil, err
	}
	if d.ServiceNodes, err = parseNodes(w.ServiceNodes, "ServiceNodes"); err != nil {
		return nil, err
	}
	if d.StorageReplicas, err = parseReplicas(w.StorageReplicas); err != nil {
		return nil, err
	}
	if d.SharedRandomCommit, err = parseSharedRandom(w.SharedRandomCommit, "SharedRandomCommit"); err != nil {
		return nil, err
	}
	if d.SharedRandomReveal, err = parseSharedRandom(w.SharedRandomReveal, "SharedRandomReveal"); err != nil {
		return nil, err
	}
	return d, nil
}

// checkSize refuses documents with more nodes than MaxNodes or more mix
// layers than layer numbers exist, before any descriptor is decoded.
func checkSize(w *wireDocIn) error {
	if len(w.Topology) > maxLayers {
		return invalid(fmt.Sprintf("Topology has %d layers, at most %d allowed", len(w.Topology), maxLayers), nil)
	}
	n := len(w.GatewayNodes) + len(w.ServiceNodes) + len(w.StorageReplicas)
	for _, layer := range w.Topology {
		n += len(layer)
	}
	if n > MaxNodes {
		return invalid(fmt.Sprintf("%d nodes, at most %d allowed", n, MaxNodes), nil)
	}
	return nil
}

// parseNodes decodes a list of descriptors, keeping a null list nil and an
// empty one empty.
func parseNodes(raw [][]byte, where string) ([]*MixDescriptor, error) {
	if raw == nil {
		return nil, nil
	}
	nodes := make([]*MixDescriptor, len(raw))
	for i, b := range raw {
		m, err := parseNode(b)
		if err != nil {
			return nil, invalid(fmt.Sprintf("%s[%d]", where, i), err)
		}
		nodes[i] = m
	}
	return nodes, nil
}

// errNullDescriptor is the cause for a descriptor that is null, either in
// place of the byte string or inside it. A nil entry would make every user
// of the node lists check for nil, so it is refused here instead.
var errNullDescriptor = errors.New("descriptor is null")

// parseNode decodes the inner map of one node descriptor.
func parseNode(b []byte) (*MixDescriptor, error) {
	if b == nil {
		return nil, errNullDescriptor
	}
	var w *wireNodeIn
	if err := decMode.Unmarshal(b, &w); err != nil {
		return nil, err
	}
	if w == nil {
		return nil, errNullDescriptor
	}
	services := w.Kaetzchen
	if w.Omitempty != nil {
		if services != nil {
			return nil, errors.New(`services under both "omitempty" and "Kaetzchen"`)
		}
		services = w.Omitempty
	}
	return &MixDescriptor{
		Name:               w.Name,
		Epoch:              w.Epoch,
		IdentityKey:        w.IdentityKey,
		LinkKey:            w.LinkKey,
		MixKeys:            w.MixKeys,
		Addresses:          w.Addresses,
		Services:           services,
		AdvertizedData:     w.KaetzchenAdvertizedData,
		IsGatewayNode:      w.IsGatewayNode,
		IsServiceNode:      w.IsServiceNode,
		LoadWeight:         w.LoadWeight,
		AuthenticationType: w.AuthenticationType,
		Version:            w.Version,
	}, nil
}

// parseReplicas decodes the storage replica descriptors like parseNodes,
// from the map bytes replicaList kept whatever their form on the wire.
func parseReplicas(raw replicaList) ([]*ReplicaDescriptor, error) {
	if raw == nil {
		return nil, nil
	}
	replicas := make([]*ReplicaDescriptor, len(raw))
	for i, b := range raw {
		var w *wireReplicaV1
		err := errNullDescriptor
		if b != nil {
			err = decMode.Unmarshal(b, &w)
			if err == nil && w == nil {
				err = errNullDescriptor
			}
		}
		if err != nil {
			return nil, invalid(fmt.Sprintf("StorageReplicas[%d]", i), err)
		}
		replicas[i] = &ReplicaDescriptor{
			Name:         w.Name,
			ReplicaID:    w.ReplicaID,
			Epoch:        w.Epoch,
			IdentityKey:  w.IdentityKey,
			LinkKey:      w.LinkKey,
			EnvelopeKeys: w.EnvelopeKeys,
			Addresses:    w.Addresses,
		}
	}
	return replicas, nil
}

// parseSharedRandom converts a map keyed by byte strings into one keyed by
// 32-byte arrays. The length is checked here because the CBOR decoder would
// silently truncate or zero-pad a byte string decoded into an array.
func parseSharedRandom(raw map[cbor.ByteString][]byte, where string) (map[[32]byte][]byte, error) {
	if raw == nil {
		return nil, nil
	}
	out := make(map[[32]byte][]byte, len(raw))
	for k, v := range raw {
		if len(k) != 32 {
			return nil, invalid(fmt.Sprintf("%s: key of %d bytes, want 32", where, len(k)), nil)
		}
		out[[32]byte([]byte(k))] = v
	}
	return out, nil
}
