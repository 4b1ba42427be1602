package pki

import (
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// MaxNodes bounds the descriptors a document may hold (mixes, gateways,
// service nodes and storage replicas together): 4096, two orders of
// magnitude above any deployed Katzenpost network. A document over it is
// refused, so a hostile daemon cannot make a client hold and hash an
// unbounded number of nodes.
const MaxNodes = 4096

// maxLayers bounds Topology: mix layers are numbered 0..n-1 and 254 and 255
// are taken by LayerService and LayerGateway.
const maxLayers = LayerService

// decMode decodes the document, its descriptors and certificates. The
// limits are tight because the bytes come from a local socket any process
// may be squatting on (docs/protocol.md 7): nesting deeper than the format
// needs, oversized array or map headers, duplicate keys, tags, NaN and
// infinities are all refused before they can cost memory or mislead.
// Keys are matched case-sensitively, exactly as the daemon writes them.
var decMode = mustDecMode(cbor.DecOptions{
	DupMapKey:         cbor.DupMapKeyEnforcedAPF,
	MaxNestedLevels:   16,
	MaxArrayElements:  65536,
	MaxMapPairs:       65536,
	TagsMd:            cbor.TagsForbidden,
	UTF8:              cbor.UTF8RejectInvalid,
	FieldNameMatching: cbor.FieldNameMatchingCaseSensitive,
	NaN:               cbor.NaNDecodeForbidden,
	Inf:               cbor.InfDecodeForbidden,
})

// encMode writes canonical CBOR (RFC 7049 length-first key order), the
// encoding of the document the daemon sends on connect, so that Marshal
// reproduces it byte for byte, inline replica maps included. Node
// descriptors, encoded on their own, are canonical in every captured
// document, pushed ones included; inline replica maps follow their
// document's order, struct order in a pushed one.
var encMode = mustEncMode(cbor.EncOptions{
	Sort:   cbor.SortCanonical,
	TagsMd: cbor.TagsForbidden,
})

func mustDecMode(o cbor.DecOptions) cbor.DecMode {
	m, err := o.DecMode()
	if err != nil {
		panic(fmt.Sprintf("pki: decoder options: %v", err))
	}
	return m
}

func mustEncMode(o cbor.EncOptions) cbor.EncMode {
	m, err := o.EncMode()
	if err != nil {
		panic(fmt.Sprintf("pki: encoder options: %v", err))
	}
	return m
}

// invalid wraps cause (may be nil) in ErrInvalidDocument, prefixed with
// where in the document it happened.
func invalid(where string, cause error) error {
	if cause == nil {
		return fmt.Errorf("%w: %s", ErrInvalidDocument, where)
	}
	return fmt.Errorf("%w: %s: %w", ErrInvalidDocument, where, cause)
}
