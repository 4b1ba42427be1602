package pki

import (
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// The wire types mirror the daemon's encoding key by key. Decoding uses the
// union of both generations' keys, so a document of either kind (or a
// mixture) decodes by key; encoding uses exactly one generation's key set,
// so the output has the same keys as what the daemon of that generation
// sends. Go field names are the wire keys; the tags repeat them so that a
// rename cannot change the format.

// wireDocCommon holds the 18 keys both generations have.
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
	StorageReplicas    replicaList                `cbor:"StorageReplicas"`
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

// wireDocV0 is the 26-key v0 document.
type wireDocV0 struct {
	wireDocCommon
	wireDocV0Only
}

// wireDocV1 is the 19-key v1 document.
type wireDocV1 struct {
	wireDocCommon
	LambdaR float64 `cbor:"LambdaR"`
}

// wireDocIn accepts the keys of both generations.
type wireDocIn struct {
	wireDocCommon
	wireDocV0Only
	LambdaR float64 `cbor:"LambdaR"`
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

// replicaList holds the storage replica descriptors, each the CBOR map of
// a wireReplica. It decodes both forms: a byte string holding the map,
// like node descriptors, and the map inline, which is what a v0.0.99
// daemon with replicas sends (PROTOCOL.md 9.9, captured). It encodes as
// byte strings.
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

// wireReplica is a storage replica descriptor (PROTOCOL.md 6).
type wireReplica struct {
	Name         string              `cbor:"Name"`
	Epoch        uint64              `cbor:"Epoch"`
	IdentityKey  []byte              `cbor:"IdentityKey"`
	LinkKey      []byte              `cbor:"LinkKey"`
	EnvelopeKeys map[uint64][]byte   `cbor:"EnvelopeKeys"`
	Addresses    map[string][]string `cbor:"Addresses"`
}

// wireCertificate is the signed envelope get_pki_document_reply carries
// (PROTOCOL.md 8). Only the certified bytes are used; the signatures are
// the daemon's business (see ParseCertificate).
type wireCertificate struct {
	Certified []byte `cbor:"Certified"`
}
