package pki_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/katzenthin/katzenthin/pki"
)

// rawKV builds a CBOR map from key/value pairs, values already encoded, in
// the given order and without deduplication, so tests can write maps the
// Go encoder would refuse to (duplicate keys, bad headers).
func rawKV(tb testing.TB, kv ...any) []byte {
	tb.Helper()
	if len(kv)%2 != 0 || len(kv)/2 > 23 {
		tb.Fatal("rawKV: bad pairs")
	}
	out := []byte{0xa0 | byte(len(kv)/2)}
	for i := 0; i < len(kv); i += 2 {
		out = append(out, encode(tb, kv[i])...)
		out = append(out, kv[i+1].([]byte)...)
	}
	return out
}

// node returns a valid descriptor byte string's content with the given
// keys replaced or added.
func node(tb testing.TB, over map[string]any) []byte {
	tb.Helper()
	m := map[string]any{
		"Name":        "n",
		"Epoch":       uint64(1),
		"IdentityKey": bytes.Repeat([]byte{1}, 32),
		"MixKeys":     map[uint64][]byte{1: bytes.Repeat([]byte{2}, 32)},
		"Addresses":   map[string][]string{"tcp4": {"tcp://127.0.0.1:1"}},
	}
	for k, v := range over {
		m[k] = v
	}
	return encode(tb, m)
}

// doc returns a valid document with the given keys replaced or added.
func doc(tb testing.TB, over map[string]any) []byte {
	tb.Helper()
	m := map[string]any{
		"Epoch":        uint64(1),
		"Version":      "v0",
		"Topology":     [][][]byte{{node(tb, nil)}},
		"GatewayNodes": [][]byte{node(tb, map[string]any{"IsGatewayNode": true})},
	}
	for k, v := range over {
		m[k] = v
	}
	return encode(tb, m)
}

// nested returns depth levels of single-element arrays around 0.
func nested(depth int) []byte {
	return append(bytes.Repeat([]byte{0x81}, depth), 0x00)
}

// TestParseHostile feeds Parse malformed, mistyped and oversized input: each
// must come back as an error wrapping ErrInvalidDocument, never a panic and
// never a half-filled document.
func TestParseHostile(t *testing.T) {
	if _, err := pki.Parse(doc(t, nil)); err != nil {
		t.Fatalf("the base document of this table is invalid: %v", err)
	}
	raw := func(b []byte) cbor.RawMessage { return b }
	// An array header claiming 2^32 elements, and a map header claiming
	// 2^32 pairs, followed by almost nothing.
	hugeArray := []byte{0x9b, 0, 0, 0, 1, 0, 0, 0, 0, 0x00}
	hugeMap := []byte{0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x00, 0x00}
	tooManyNodes := make([][]byte, pki.MaxNodes+1)
	for i := range tooManyNodes {
		tooManyNodes[i] = []byte{} // never decoded: the count is checked first
	}

	cases := []struct {
		name string
		in   []byte
	}{
		{"empty input", nil},
		{"not CBOR", []byte{0xff}},
		{"truncated", doc(t, nil)[:40]},
		{"trailing bytes", append(doc(t, nil), 0x00)},
		{"null document", []byte{0xf6}},
		{"array document", []byte{0x80}},
		{"text document", encode(t, "v0")},
		{"huge array header", hugeArray},
		{"huge map header", hugeMap},
		// The encoder checks raw values, so these are spliced in by hand.
		{"huge array header as Topology", rawKV(t, "Epoch", encode(t, 1), "Topology", hugeArray)},
		{"deep nesting", rawKV(t, "Epoch", encode(t, 1), "Topology", nested(1000))},
		{"deep nesting in services", rawKV(t, "ServiceNodes", encode(t, [][]byte{
			rawKV(t, "Name", encode(t, "n"), "omitempty", rawKV(t, "echo", rawKV(t, "x", nested(100)))),
		}))},
		{"duplicate key", rawKV(t, "Epoch", encode(t, 1), "Epoch", encode(t, 2))},
		{"tagged value", doc(t, map[string]any{"Epoch": cbor.Tag{Number: 1, Content: uint64(1)}})},
		{"NaN", doc(t, map[string]any{"Mu": raw([]byte{0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1})})},
		{"infinity", doc(t, map[string]any{"LambdaP": raw([]byte{0xf9, 0x7c, 0x00})})},
		{"invalid UTF-8", rawKV(t, "Version", []byte{0x62, 0xff, 0xfe})},

		{"Epoch is text", doc(t, map[string]any{"Epoch": "2494607"})},
		{"Epoch is negative", doc(t, map[string]any{"Epoch": -1})},
		{"Mu is text", doc(t, map[string]any{"Mu": "0.005"})},
		{"Version is a number", doc(t, map[string]any{"Version": 0})},
		{"Topology is a map", doc(t, map[string]any{"Topology": map[string]any{"0": 1}})},
		{"layer is not an array", doc(t, map[string]any{"Topology": []any{node(t, nil)}})},
		{"PriorSharedRandom holds text", doc(t, map[string]any{"PriorSharedRandom": []any{"x"}})},
		{"SharedRandomCommit key is text", doc(t, map[string]any{"SharedRandomCommit": map[string][]byte{"x": {1}}})},
		{"SharedRandomCommit key is short", doc(t, map[string]any{"SharedRandomCommit": map[cbor.ByteString][]byte{"short": {1}}})},
		{"SharedRandomReveal key is long", doc(t, map[string]any{"SharedRandomReveal": map[cbor.ByteString][]byte{cbor.ByteString(make([]byte, 33)): {1}}})},
		{"SharedRandomReveal is an array", doc(t, map[string]any{"SharedRandomReveal": []any{}})},

		{"descriptor is a map, not bytes", doc(t, map[string]any{"Topology": []any{[]any{map[string]any{"Name": "mix1"}}}})},
		{"descriptor is a number", doc(t, map[string]any{"GatewayNodes": []any{1}})},
		{"descriptor is null", doc(t, map[string]any{"ServiceNodes": []any{nil}})},
		{"descriptor bytes are empty", doc(t, map[string]any{"GatewayNodes": [][]byte{{}}})},
		{"descriptor bytes are not CBOR", doc(t, map[string]any{"GatewayNodes": [][]byte{{0xff, 0x00}}})},
		{"descriptor bytes hold null", doc(t, map[string]any{"GatewayNodes": [][]byte{{0xf6}}})},
		{"descriptor bytes hold an array", doc(t, map[string]any{"GatewayNodes": [][]byte{{0x80}}})},
		{"descriptor bytes have trailing data", doc(t, map[string]any{"GatewayNodes": [][]byte{append(node(t, nil), 0)}})},
		{"descriptor duplicate key", doc(t, map[string]any{"GatewayNodes": [][]byte{rawKV(t, "Name", encode(t, "a"), "Name", encode(t, "b"))}})},
		{"descriptor LoadWeight overflows uint8", doc(t, map[string]any{"GatewayNodes": [][]byte{node(t, map[string]any{"LoadWeight": 300})}})},
		{"descriptor IdentityKey is text", doc(t, map[string]any{"GatewayNodes": [][]byte{node(t, map[string]any{"IdentityKey": "key"})}})},
		{"descriptor MixKeys key is text", doc(t, map[string]any{"GatewayNodes": [][]byte{node(t, map[string]any{"MixKeys": map[string][]byte{"1": {1}}})}})},
		{"descriptor Addresses value is text", doc(t, map[string]any{"GatewayNodes": [][]byte{node(t, map[string]any{"Addresses": map[string]string{"tcp4": "tcp://x"}})}})},
		{"descriptor services is an array", doc(t, map[string]any{"ServiceNodes": [][]byte{node(t, map[string]any{"omitempty": []any{"echo"}})}})},
		{"descriptor service params are text", doc(t, map[string]any{"ServiceNodes": [][]byte{node(t, map[string]any{"Kaetzchen": map[string]any{"echo": "+echo"}})}})},
		{"descriptor services under both keys", doc(t, map[string]any{"ServiceNodes": [][]byte{node(t, map[string]any{
			"omitempty": map[string]any{"echo": map[string]any{"endpoint": "+a"}},
			"Kaetzchen": map[string]any{"echo": map[string]any{"endpoint": "+b"}},
		})}})},
		{"replica is null", doc(t, map[string]any{"StorageReplicas": []any{nil}})},
		{"replica bytes are not CBOR", doc(t, map[string]any{"StorageReplicas": [][]byte{{0xff}}})},
		{"replica EnvelopeKeys is text", doc(t, map[string]any{"StorageReplicas": [][]byte{encode(t, map[string]any{"EnvelopeKeys": "k"})}})},
		{"replica is a number", doc(t, map[string]any{"StorageReplicas": []any{1}})},
		{"replica is an array", doc(t, map[string]any{"StorageReplicas": []any{[]any{"Name"}}})},
		{"inline replica EnvelopeKeys is text", doc(t, map[string]any{"StorageReplicas": []any{map[string]any{"EnvelopeKeys": "k"}}})},
		{"inline replica ReplicaID overflows uint8", doc(t, map[string]any{"StorageReplicas": []any{map[string]any{"ReplicaID": 256}}})},
		{"inline replica duplicate key", doc(t, map[string]any{"StorageReplicas": []cbor.RawMessage{rawKV(t, "Name", encode(t, "a"), "Name", encode(t, "b"))}})},
		{"ConfiguredReplicaIDs is text", doc(t, map[string]any{"ConfiguredReplicaIDs": "\x00"})},
		{"ConfiguredReplicaIdentityKeys is bytes", doc(t, map[string]any{"ConfiguredReplicaIdentityKeys": []byte{1}})},

		{"too many nodes", doc(t, map[string]any{"GatewayNodes": tooManyNodes})},
		{"too many layers", doc(t, map[string]any{"Topology": make([][][]byte, pki.LayerService+1)})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := pki.Parse(c.in)
			t.Log(err)
			if !errors.Is(err, pki.ErrInvalidDocument) {
				t.Fatalf("Parse = %v, want an error wrapping ErrInvalidDocument", err)
			}
			if d != nil {
				t.Errorf("Parse returned a document with its error")
			}
			if _, err := pki.ParseCertificate(encode(t, map[string]any{"Certified": c.in})); len(c.in) > 0 && !errors.Is(err, pki.ErrInvalidDocument) {
				t.Errorf("ParseCertificate = %v, want an error wrapping ErrInvalidDocument", err)
			}
		})
	}
}

// TestParseErrorDetail checks that errors say where the problem is and
// keep the decoder's error reachable.
func TestParseErrorDetail(t *testing.T) {
	_, err := pki.Parse(doc(t, map[string]any{"Topology": [][][]byte{{node(t, nil)}, {node(t, map[string]any{"Epoch": "x"})}}}))
	if !errors.Is(err, pki.ErrInvalidDocument) {
		t.Fatalf("err = %v", err)
	}
	var typeErr *cbor.UnmarshalTypeError
	if !errors.As(err, &typeErr) {
		t.Errorf("errors.As(%v, *cbor.UnmarshalTypeError) = false", err)
	}
	if msg := err.Error(); !bytes.Contains([]byte(msg), []byte("Topology[1][0]")) {
		t.Errorf("error %q does not name Topology[1][0]", msg)
	}
}

// TestParseLimitsAccept checks the limits are not tighter than the format:
// MaxNodes nodes and LayerService layers are fine.
func TestParseLimitsAccept(t *testing.T) {
	n := node(t, nil)
	nodes := slices.Repeat([][]byte{n}, pki.MaxNodes)
	if _, err := pki.Parse(doc(t, map[string]any{"Topology": [][][]byte{}, "GatewayNodes": nodes})); err != nil {
		t.Errorf("MaxNodes nodes: %v", err)
	}
	layers := slices.Repeat([][][]byte{{n}}, pki.LayerService)
	d, err := pki.Parse(doc(t, map[string]any{"Topology": layers}))
	if err != nil {
		t.Fatalf("%d layers: %v", pki.LayerService, err)
	}
	if len(d.Topology) != pki.LayerService {
		t.Errorf("got %d layers", len(d.Topology))
	}
}

// TestParseCertificateHostile covers the certificate envelope itself.
func TestParseCertificateHostile(t *testing.T) {
	cases := map[string][]byte{
		"empty":                  nil,
		"not CBOR":               {0xff},
		"null":                   {0xf6},
		"array":                  {0x80},
		"no Certified":           encode(t, map[string]any{"KeyType": "Ed25519"}),
		"Certified null":         encode(t, map[string]any{"Certified": nil}),
		"Certified empty":        encode(t, map[string]any{"Certified": []byte{}}),
		"Certified is text":      encode(t, map[string]any{"Certified": "doc"}),
		"Certified is not CBOR":  encode(t, map[string]any{"Certified": []byte{0xff}}),
		"Certified is a number":  encode(t, map[string]any{"Certified": 1}),
		"duplicate Certified":    rawKV(t, "Certified", encode(t, doc(t, nil)), "Certified", encode(t, doc(t, nil))),
		"huge Signatures header": rawKV(t, "Certified", encode(t, doc(t, nil)), "Signatures", []byte{0xbb, 0, 0, 0, 1, 0, 0, 0, 0}),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if d, err := pki.ParseCertificate(in); !errors.Is(err, pki.ErrInvalidDocument) || d != nil {
				t.Fatalf("ParseCertificate = %v, %v, want nil and an error wrapping ErrInvalidDocument", d, err)
			}
		})
	}
}
