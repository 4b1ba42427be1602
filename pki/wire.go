package pki

import "github.com/fxamacker/cbor/v2"

// The wire types mirror the daemon's encoding key by key. Decoding uses the
// union of both generations' keys, so a document of either kind (or a
// mixture) decodes by key; encoding uses exactly one generation's key set,
// so the output has the same keys as what the daemon of that generation
// sends. Go field names are the wire keys; the tags repeat them so that a
// rename cannot change the format.

// wireDocCommon holds the 17 keys both generations write the same way.
// StorageReplicas, which both have, is not here: the generations write its
// entries differently (see wireReplica).
type wireDocCommon struct {
	Epoch              uint64                     `cbor:"Epoch"`
	GenesisEpoch       uint64                     `cbor:"GenesisEpoch"`
	Mu                 float64                    `cbor:"Mu"`
	LambdaP            float64                    `cbor:"LambdaP"`
	LambdaL            float64                    `cbor:"LambdaL"`
	LambdaM            float64                    `cbor:"LambdaM"`
	LambdaG            float64                    `cbor:"LambdaG"`
	Topology           [][][]byte                 `cbor:"Topology"`
	GatewayNodes       [][]byte                   `cbor:"GatewayNodes"`
	ServiceNodes       [][]byte                   `cbor:"ServiceNodes"`
	SharedRandomCommit map[cbor.ByteString][]byte `cbor:"SharedRandomCommit"`
	SharedRandomReveal map[cbor.ByteString][]byte `cbor:"SharedRandomReveal"`
	SharedRandomValue  []byte                     `cbor:"SharedRandomValue"`
	PriorSharedRandom  [][]byte                   `cbor:"PriorSharedRandom"`
	SphinxGeometryHash []byte                     `cbor:"SphinxGeometryHash"`
	Version            string                     `cbor:"Version"`
	PKISignatureScheme string                     `cbor:"PKISignatureScheme"`
}

// wireDocV0Only holds the 8 keys only v0 (daemon v0.0.47) documents have.
type wireDocV0Only struct {
	SendRatePerMinute uint64  `cbor:"SendRatePerMinute"`
	LambdaD           float64 `cbor:"LambdaD"`
	MuMaxDelay        uint64  `cbor:"MuMaxDelay"`
	LambdaPMaxDelay   uint64  `cbor:"LambdaPMaxDelay"`
	LambdaLMaxDelay   uint64  `cbor:"LambdaLMaxDelay"`
	LambdaDMaxDelay   uint64  `cbor:"LambdaDMaxDelay"`
	LambdaMMaxDelay   uint64  `cbor:"LambdaMMaxDelay"`
	LambdaGMaxDelay   uint64  `cbor:"LambdaGMaxDelay"`
}

// wireDocV0 is the 26-key v0 document. Its replicas are byte strings
// holding their map, as upstream describes the v0.0.47 generation (docs/protocol.md 6) (no
// capture of that generation has replicas to say otherwise).
type wireDocV0 struct {
	wireDocCommon
	wireDocV0Only
	StorageReplicas [][]byte `cbor:"StorageReplicas"`
}

// wireDocV1 is the v1 document: 19 keys, 21 with a configured replica set,
// since a v0.0.99 daemon leaves the two Configured keys out when they are
// empty (docs/protocol.md 9.9; the captured greetings have 19 and 21). Its
// replicas are inline maps, as captured.
type wireDocV1 struct {
	wireDocCommon
	LambdaR                       float64          `cbor:"LambdaR"`
	StorageReplicas               []*wireReplicaV1 `cbor:"StorageReplicas"`
	ConfiguredReplicaIDs          []byte           `cbor:"ConfiguredReplicaIDs,omitempty"`
	ConfiguredReplicaIdentityKeys [][]byte         `cbor:"ConfiguredReplicaIdentityKeys,omitempty"`
}

// wireDocIn accepts the keys of both generations, and replicas in either
// form.
type wireDocIn struct {
	wireDocCommon
	wireDocV0Only
	LambdaR                       float64     `cbor:"LambdaR"`
	StorageReplicas               replicaList `cbor:"StorageReplicas"`
	ConfiguredReplicaIDs          []byte      `cbor:"ConfiguredReplicaIDs"`
	ConfiguredReplicaIdentityKeys [][]byte    `cbor:"ConfiguredReplicaIdentityKeys"`
}

// wireNodeCommon holds the 11 descriptor keys both generations have.
type wireNodeCommon struct {
	Name               string              `cbor:"Name"`
	Epoch              uint64              `cbor:"Epoch"`
	IdentityKey        []byte              `cbor:"IdentityKey"`
	LinkKey            []byte              `cbor:"LinkKey"`
	MixKeys            map[uint64][]byte   `cbor:"MixKeys"`
	Addresses          map[string][]string `cbor:"Addresses"`
	IsGatewayNode      bool                `cbor:"IsGatewayNode"`
	IsServiceNode      bool                `cbor:"IsServiceNode"`
	LoadWeight         uint8               `cbor:"LoadWeight"`
	AuthenticationType string              `cbor:"AuthenticationType"`
	Version            string              `cbor:"Version"`
}

// wireNodeV0 is the 12-key v0 descriptor. The services key is literally
// "omitempty": the v0.0.47 daemon's struct tag named the key instead of
// setting the option, and this reproduces it on purpose.
type wireNodeV0 struct {
	wireNodeCommon
	Services map[string]map[string]any `cbor:"omitempty"`
}

// wireNodeV1 is the 13-key v1 descriptor.
type wireNodeV1 struct {
	wireNodeCommon
	Kaetzchen               map[string]map[string]any `cbor:"Kaetzchen"`
	KaetzchenAdvertizedData map[string]map[string]any `cbor:"KaetzchenAdvertizedData"`
}

// wireNodeIn accepts the keys of both generations.
type wireNodeIn struct {
	wireNodeCommon
	Omitempty               map[string]map[string]any `cbor:"omitempty"`
	Kaetzchen               map[string]map[string]any `cbor:"Kaetzchen"`
	KaetzchenAdvertizedData map[string]map[string]any `cbor:"KaetzchenAdvertizedData"`
}

// wireCertificate is the signed envelope get_pki_document_reply carries
// (docs/protocol.md 8). Only the certified bytes are used; the signatures are
// the daemon's business (see ParseCertificate).
type wireCertificate struct {
	Certified []byte `cbor:"Certified"`
}
