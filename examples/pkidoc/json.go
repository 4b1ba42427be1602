package main

import (
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/katzenthin/katzenthin/pki"
)

// jsonDocument is the -json form of a pki.Document: the same field names,
// byte fields in hex. The fields only one document format has are left
// out of the other's (SendRatePerMinute, LambdaD and the MaxDelays are v0
// only, LambdaR v1 only).
type jsonDocument struct {
	Epoch              uint64
	GenesisEpoch       uint64
	Version            string
	PKISignatureScheme string
	SendRatePerMinute  *uint64 `json:",omitempty"`
	Mu                 float64
	MuMaxDelay         *uint64 `json:",omitempty"`
	LambdaP            float64
	LambdaPMaxDelay    *uint64 `json:",omitempty"`
	LambdaL            float64
	LambdaLMaxDelay    *uint64  `json:",omitempty"`
	LambdaD            *float64 `json:",omitempty"`
	LambdaDMaxDelay    *uint64  `json:",omitempty"`
	LambdaM            float64
	LambdaMMaxDelay    *uint64 `json:",omitempty"`
	LambdaG            float64
	LambdaGMaxDelay    *uint64  `json:",omitempty"`
	LambdaR            *float64 `json:",omitempty"`
	Topology           [][]jsonNode
	GatewayNodes       []jsonNode
	ServiceNodes       []jsonNode
	StorageReplicas    []jsonReplica
	SharedRandomCommit map[string]string // hex identity hash → hex
	SharedRandomReveal map[string]string // hex identity hash → hex
	SharedRandomValue  string
	PriorSharedRandom  []string
	SphinxGeometryHash string
}

// jsonNode is the -json form of a pki.MixDescriptor, with the node's
// Layer (0.. for mixes, 255 gateway, 254 service node) and IdentityHash
// (the destination_id_hash that addresses it) added.
type jsonNode struct {
	Name               string
	Layer              int
	IdentityHash       string
	Epoch              uint64
	IdentityKey        string
	LinkKey            string
	MixKeys            map[string]string // epoch → hex key
	Addresses          map[string][]string
	Services           map[string]any `json:",omitempty"`
	AdvertizedData     map[string]any `json:",omitempty"`
	IsGatewayNode      bool
	IsServiceNode      bool
	LoadWeight         uint8
	AuthenticationType string
	Version            string
}

// jsonReplica is the -json form of a pki.ReplicaDescriptor.
type jsonReplica struct {
	Name         string
	ReplicaID    uint8
	IdentityHash string
	Epoch        uint64
	IdentityKey  string
	LinkKey      string
	EnvelopeKeys map[string]string // epoch → hex key
	Addresses    map[string][]string
}

// jsonOf converts doc to its -json form.
func jsonOf(doc *pki.Document) jsonDocument {
	j := jsonDocument{
		Epoch:              doc.Epoch,
		GenesisEpoch:       doc.GenesisEpoch,
		Version:            doc.Version,
		PKISignatureScheme: doc.PKISignatureScheme,
		Mu:                 doc.Mu,
		LambdaP:            doc.LambdaP,
		LambdaL:            doc.LambdaL,
		LambdaM:            doc.LambdaM,
		LambdaG:            doc.LambdaG,
		Topology:           [][]jsonNode{},
		GatewayNodes:       nodesOf(doc, doc.GatewayNodes),
		ServiceNodes:       nodesOf(doc, doc.ServiceNodes),
		StorageReplicas:    []jsonReplica{},
		SharedRandomCommit: hexKeyed(doc.SharedRandomCommit),
		SharedRandomReveal: hexKeyed(doc.SharedRandomReveal),
		SharedRandomValue:  hex.EncodeToString(doc.SharedRandomValue),
		PriorSharedRandom:  []string{},
		SphinxGeometryHash: hex.EncodeToString(doc.SphinxGeometryHash),
	}
	if doc.Version == "v1" {
		j.LambdaR = &doc.LambdaR
	} else {
		j.SendRatePerMinute = &doc.SendRatePerMinute
		j.MuMaxDelay = &doc.MuMaxDelay
		j.LambdaPMaxDelay = &doc.LambdaPMaxDelay
		j.LambdaLMaxDelay = &doc.LambdaLMaxDelay
		j.LambdaD = &doc.LambdaD
		j.LambdaDMaxDelay = &doc.LambdaDMaxDelay
		j.LambdaMMaxDelay = &doc.LambdaMMaxDelay
		j.LambdaGMaxDelay = &doc.LambdaGMaxDelay
	}
	for _, layer := range doc.Topology {
		j.Topology = append(j.Topology, nodesOf(doc, layer))
	}
	for _, r := range doc.StorageReplicas {
		if r == nil {
			continue
		}
		h := r.IdentityHash()
		j.StorageReplicas = append(j.StorageReplicas, jsonReplica{
			Name:         r.Name,
			ReplicaID:    r.ReplicaID,
			IdentityHash: hex.EncodeToString(h[:]),
			Epoch:        r.Epoch,
			IdentityKey:  hex.EncodeToString(r.IdentityKey),
			LinkKey:      hex.EncodeToString(r.LinkKey),
			EnvelopeKeys: epochKeyed(r.EnvelopeKeys),
			Addresses:    r.Addresses,
		})
	}
	for _, v := range doc.PriorSharedRandom {
		j.PriorSharedRandom = append(j.PriorSharedRandom, hex.EncodeToString(v))
	}
	return j
}

// nodesOf converts descriptors, skipping nil ones.
func nodesOf(doc *pki.Document, ms []*pki.MixDescriptor) []jsonNode {
	nodes := []jsonNode{}
	for _, m := range ms {
		if m == nil {
			continue
		}
		layer, _ := doc.Layer(m)
		h := m.IdentityHash()
		n := jsonNode{
			Name:               m.Name,
			Layer:              layer,
			IdentityHash:       hex.EncodeToString(h[:]),
			Epoch:              m.Epoch,
			IdentityKey:        hex.EncodeToString(m.IdentityKey),
			LinkKey:            hex.EncodeToString(m.LinkKey),
			MixKeys:            epochKeyed(m.MixKeys),
			Addresses:          m.Addresses,
			IsGatewayNode:      m.IsGatewayNode,
			IsServiceNode:      m.IsServiceNode,
			LoadWeight:         m.LoadWeight,
			AuthenticationType: m.AuthenticationType,
			Version:            m.Version,
		}
		if m.Services != nil {
			n.Services = jsonValue(m.Services).(map[string]any)
		}
		if m.AdvertizedData != nil {
			n.AdvertizedData = jsonValue(m.AdvertizedData).(map[string]any)
		}
		nodes = append(nodes, n)
	}
	return nodes
}

// hexKeyed writes a map keyed by a 32-byte hash with hex keys and values.
func hexKeyed(m map[[32]byte][]byte) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[hex.EncodeToString(k[:])] = hex.EncodeToString(v)
	}
	return out
}

// epochKeyed writes a map keyed by epoch with decimal keys and hex values.
func epochKeyed(m map[uint64][]byte) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strconv.FormatUint(k, 10)] = hex.EncodeToString(v)
	}
	return out
}

// jsonValue makes a service parameter fit for JSON: byte strings become
// hex, maps get string keys, recursively.
func jsonValue(v any) any {
	switch v := v.(type) {
	case []byte:
		return hex.EncodeToString(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = jsonValue(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[fmt.Sprint(jsonValue(k))] = jsonValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = jsonValue(e)
		}
		return out
	case map[string]map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = jsonValue(e)
		}
		return out
	}
	return v
}
