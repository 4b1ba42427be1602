package pki

import (
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// Marshal encodes d in the daemon's format, the inverse of Parse: node
// descriptors as byte strings holding their own CBOR map, keys in canonical
// order like the document the daemon sends on connect (map keys nested in
// the document, such as an inline replica's, in canonical order too).
//
// The key set follows d.Version. "v1" writes the 19 keys of a v0.0.99
// document (LambdaR; services under "Kaetzchen" with
// "KaetzchenAdvertizedData"), plus ConfiguredReplicaIDs and
// ConfiguredReplicaIdentityKeys when they are not empty, as the daemon
// does; its storage replicas are maps inline in the array, with ReplicaID,
// as a v0.0.99 daemon sends them. Any other version writes the 26 keys of
// a v0.0.47 document (SendRatePerMinute, LambdaD, the MaxDelays; services
// under the literal key "omitempty", null for nodes without services;
// replicas as byte strings holding their map, without ReplicaID, as
// upstream describes them, docs/protocol.md 6). Fields the chosen generation lacks are not
// written.
//
// Nil and empty slices and maps are written as null and as empty arrays or
// maps, so Marshal(Parse(x)) keeps what x had; for the captured greeting
// documents, with storage replicas or without, it reproduces the daemon's
// bytes exactly. A nil document, a nil descriptor, or a service parameter
// CBOR cannot encode is an error wrapping ErrInvalidDocument. Marshal does
// not modify d.
func (d *Document) Marshal() ([]byte, error) {
	if d == nil {
		return nil, invalid("nil document", nil)
	}
	v1 := d.isV1()
	common := wireDocCommon{
		Epoch:              d.Epoch,
		GenesisEpoch:       d.GenesisEpoch,
		Mu:                 d.Mu,
		LambdaP:            d.LambdaP,
		LambdaL:            d.LambdaL,
		LambdaM:            d.LambdaM,
		LambdaG:            d.LambdaG,
		SharedRandomCommit: marshalSharedRandom(d.SharedRandomCommit),
		SharedRandomReveal: marshalSharedRandom(d.SharedRandomReveal),
		SharedRandomValue:  d.SharedRandomValue,
		PriorSharedRandom:  d.PriorSharedRandom,
		SphinxGeometryHash: d.SphinxGeometryHash,
		Version:            d.Version,
		PKISignatureScheme: d.PKISignatureScheme,
	}
	var err error
	if d.Topology != nil {
		common.Topology = make([][][]byte, len(d.Topology))
		for i, layer := range d.Topology {
			if common.Topology[i], err = marshalNodes(layer, v1, fmt.Sprintf("Topology[%d]", i)); err != nil {
				return nil, err
			}
		}
	}
	if common.GatewayNodes, err = marshalNodes(d.GatewayNodes, v1, "GatewayNodes"); err != nil {
		return nil, err
	}
	if common.ServiceNodes, err = marshalNodes(d.ServiceNodes, v1, "ServiceNodes"); err != nil {
		return nil, err
	}

	var out any
	if v1 {
		w := &wireDocV1{
			wireDocCommon:                 common,
			LambdaR:                       d.LambdaR,
			ConfiguredReplicaIDs:          d.ConfiguredReplicaIDs,
			ConfiguredReplicaIdentityKeys: d.ConfiguredReplicaIdentityKeys,
		}
		if w.StorageReplicas, err = inlineReplicas(d.StorageReplicas); err != nil {
			return nil, err
		}
		out = w
	} else {
		w := &wireDocV0{wireDocCommon: common, wireDocV0Only: wireDocV0Only{
			SendRatePerMinute: d.SendRatePerMinute,
			LambdaD:           d.LambdaD,
			MuMaxDelay:        d.MuMaxDelay,
			LambdaPMaxDelay:   d.LambdaPMaxDelay,
			LambdaLMaxDelay:   d.LambdaLMaxDelay,
			LambdaDMaxDelay:   d.LambdaDMaxDelay,
			LambdaMMaxDelay:   d.LambdaMMaxDelay,
			LambdaGMaxDelay:   d.LambdaGMaxDelay,
		}}
		if w.StorageReplicas, err = replicaBytes(d.StorageReplicas); err != nil {
			return nil, err
		}
		out = w
	}
	b, err := encMode.Marshal(out)
	if err != nil {
		return nil, invalid("encoding document", err)
	}
	return b, nil
}

// marshalNodes encodes each descriptor to its own byte string, keeping a
// nil list nil (null on the wire) and an empty one empty.
func marshalNodes(nodes []*MixDescriptor, v1 bool, where string) ([][]byte, error) {
	if nodes == nil {
		return nil, nil
	}
	out := make([][]byte, len(nodes))
	for i, m := range nodes {
		b, err := marshalNode(m, v1)
		if err != nil {
			return nil, invalid(fmt.Sprintf("%s[%d]", where, i), err)
		}
		out[i] = b
	}
	return out, nil
}

// marshalNode encodes one descriptor's inner map with the generation's key set.
func marshalNode(m *MixDescriptor, v1 bool) ([]byte, error) {
	if m == nil {
		return nil, errNullDescriptor
	}
	common := wireNodeCommon{
		Name:               m.Name,
		Epoch:              m.Epoch,
		IdentityKey:        m.IdentityKey,
		LinkKey:            m.LinkKey,
		MixKeys:            m.MixKeys,
		Addresses:          m.Addresses,
		IsGatewayNode:      m.IsGatewayNode,
		IsServiceNode:      m.IsServiceNode,
		LoadWeight:         m.LoadWeight,
		AuthenticationType: m.AuthenticationType,
		Version:            m.Version,
	}
	if v1 {
		return encMode.Marshal(&wireNodeV1{
			wireNodeCommon:          common,
			Kaetzchen:               m.Services,
			KaetzchenAdvertizedData: m.AdvertizedData,
		})
	}
	return encMode.Marshal(&wireNodeV0{wireNodeCommon: common, Services: m.Services})
}

// marshalSharedRandom turns 32-byte array keys back into byte strings (the
// encoder would write the same bytes for the arrays, but the decoder side
// needs ByteString keys, and one type for both keeps them symmetric).
func marshalSharedRandom(m map[[32]byte][]byte) map[cbor.ByteString][]byte {
	if m == nil {
		return nil
	}
	out := make(map[cbor.ByteString][]byte, len(m))
	for k, v := range m {
		out[cbor.ByteString(k[:])] = v
	}
	return out
}
