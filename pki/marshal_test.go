package pki_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/katzenthin/katzenthin/pki"
)

// TestMarshalRoundTrip checks that Marshal loses nothing Parse found, keeps
// each captured document's key sets, and reproduces the canonical greeting
// documents byte for byte, the one with storage replicas included.
func TestMarshalRoundTrip(t *testing.T) {
	for _, c := range slices.Concat(capturedDocs, replicaDocs) {
		t.Run(c.name, func(t *testing.T) {
			in := documentBytes(t, c)
			d1, err := pki.Parse(in)
			if err != nil {
				t.Fatal(err)
			}
			out, err := d1.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			d2, err := pki.Parse(out)
			if err != nil {
				t.Fatalf("Parse(Marshal): %v", err)
			}
			if !reflect.DeepEqual(d1, d2) {
				t.Errorf("Parse(Marshal(Parse(x))) differs from Parse(x)")
			}
			if got, want := keyShape(t, out), keyShape(t, in); !reflect.DeepEqual(got, want) {
				t.Errorf("key sets differ:\n got %v\nwant %v", got, want)
			}
			// The greeting and the certified document are canonical, so
			// they must come back exactly. Pushed ones are in struct order
			// (their descriptors are canonical already): they must come
			// back as the canonical re-encoding of the same items.
			want := in
			if !c.greeting && !c.cert {
				want = canonical(t, in)
				if bytes.Equal(want, in) {
					t.Fatal("a pushed document was expected in struct order, not canonical")
				}
			}
			if !bytes.Equal(out, want) {
				t.Errorf("Marshal(Parse(x)) is not byte-identical to the canonical capture (%d vs %d bytes)", len(out), len(want))
			}
		})
	}
}

// canonical re-encodes a CBOR item with its map keys in canonical order and
// nothing else changed (floats keep their width, as the daemon wrote them).
func canonical(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var v any
	if err := cbor.Unmarshal(b, &v); err != nil {
		tb.Fatal(err)
	}
	em, err := cbor.EncOptions{Sort: cbor.SortCanonical}.EncMode()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := em.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// synthetic builds a document using every field, as the mock daemon might.
func synthetic(version string) *pki.Document {
	key := func(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }
	mix := func(name string, b byte) *pki.MixDescriptor {
		return &pki.MixDescriptor{
			Name: name, Epoch: 10, IdentityKey: key(b), LinkKey: key(b + 1),
			MixKeys:   map[uint64][]byte{10: key(b + 2), 11: key(b + 3)},
			Addresses: map[string][]string{"tcp4": {"tcp://127.0.0.1:1"}, "tcp6": {"tcp://[::1]:1", "tcp://[::1]:2"}},
		}
	}
	gw := mix("gw", 0x40)
	gw.IsGatewayNode, gw.AuthenticationType = true, "tofu"
	sn := mix("sn", 0x50)
	sn.IsServiceNode, sn.LoadWeight, sn.Version = true, 7, "1.2"
	sn.Services = map[string]map[string]any{
		"echo":    {"endpoint": "+echo", "params": map[any]any{"n": uint64(1), "neg": int64(-1), "ok": true, "f": 1.5}},
		"courier": {"endpoint": "courier"},
	}
	if version == "v1" {
		sn.AdvertizedData = map[string]map[string]any{"courier": {"linkPublicKey": "PEM", "list": []any{"a", []byte{1}}}}
	}
	return &pki.Document{
		Epoch: 10, GenesisEpoch: 1, SendRatePerMinute: 30,
		Mu: 0.25, MuMaxDelay: 1, LambdaP: 0.5, LambdaPMaxDelay: 2, LambdaL: 0.125, LambdaLMaxDelay: 3,
		LambdaD: 0.0625, LambdaDMaxDelay: 4, LambdaM: 1, LambdaMMaxDelay: 5, LambdaG: 2, LambdaGMaxDelay: 6,
		LambdaR:      3,
		Topology:     [][]*pki.MixDescriptor{{mix("m1", 0x10), mix("m2", 0x20)}, {mix("m3", 0x30)}},
		GatewayNodes: []*pki.MixDescriptor{gw},
		ServiceNodes: []*pki.MixDescriptor{sn},
		StorageReplicas: []*pki.ReplicaDescriptor{{
			Name: "r1", ReplicaID: 0, Epoch: 10, IdentityKey: key(0x60), LinkKey: key(0x61),
			EnvelopeKeys: map[uint64][]byte{10: key(0x62)}, Addresses: map[string][]string{"tcp4": {"tcp://127.0.0.1:9"}},
		}, {
			Name: "r2", ReplicaID: 7, Epoch: 10, IdentityKey: key(0x70), LinkKey: key(0x71),
			EnvelopeKeys: map[uint64][]byte{10: key(0x72), 11: key(0x73)}, Addresses: map[string][]string{"tcp": {"tcp://127.0.0.1:10"}},
		}},
		ConfiguredReplicaIDs:          []byte{7, 0},
		ConfiguredReplicaIdentityKeys: [][]byte{key(0x70), key(0x60)},
		SharedRandomCommit:            map[[32]byte][]byte{[32]byte(key(1)): {1, 2}, [32]byte(key(2)): {3}},
		SharedRandomReveal:            map[[32]byte][]byte{},
		SharedRandomValue:             key(3),
		PriorSharedRandom:             [][]byte{key(4), key(5)},
		SphinxGeometryHash:            key(6),
		Version:                       version,
		PKISignatureScheme:            "Ed25519",
	}
}

// withoutForeignFields returns a copy of d without the fields d's
// generation does not carry (Marshal leaves them out, ReplicaID among them
// for v0), so that a document can be compared after a round trip. d is not
// modified.
func withoutForeignFields(d *pki.Document) *pki.Document {
	c := *d
	if d.Version == "v1" {
		c.SendRatePerMinute, c.LambdaD = 0, 0
		c.MuMaxDelay, c.LambdaPMaxDelay, c.LambdaLMaxDelay = 0, 0, 0
		c.LambdaDMaxDelay, c.LambdaMMaxDelay, c.LambdaGMaxDelay = 0, 0, 0
	} else {
		c.LambdaR = 0
		c.ConfiguredReplicaIDs, c.ConfiguredReplicaIdentityKeys = nil, nil
		if d.StorageReplicas != nil {
			c.StorageReplicas = make([]*pki.ReplicaDescriptor, len(d.StorageReplicas))
			for i, r := range d.StorageReplicas {
				rc := *r
				rc.ReplicaID = 0
				c.StorageReplicas[i] = &rc
			}
		}
	}
	return &c
}

func TestMarshalSynthetic(t *testing.T) {
	for _, version := range []string{"v0", "v1", ""} {
		t.Run("version "+version, func(t *testing.T) {
			d := synthetic(version)
			before := fmt.Sprintf("%#v", d)
			b, err := d.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if after := fmt.Sprintf("%#v", d); after != before {
				t.Error("Marshal modified the document")
			}
			got, err := pki.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if want := withoutForeignFields(d); !reflect.DeepEqual(got, want) {
				t.Errorf("round trip:\n got %#v\nwant %#v", got, want)
			}
			again, err := got.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, b) {
				t.Error("Marshal is not deterministic over a round trip")
			}
		})
	}
}

// TestMarshalKeySets checks the key set each generation writes, whatever
// the document was parsed from.
func TestMarshalKeySets(t *testing.T) {
	v0 := keyShape(t, documentBytes(t, capturedDocs[0]))
	v1 := keyShape(t, documentBytes(t, capturedDocs[3]))
	if len(v0[0]) != 26 || len(v1[0]) != 19 || len(v0[1]) != 12 || len(v1[1]) != 13 {
		t.Fatalf("captured key counts %d/%d, %d/%d, want 26/12 and 19/13", len(v0[0]), len(v0[1]), len(v1[0]), len(v1[1]))
	}
	for _, c := range []struct {
		from, to string
		want     [][]string
	}{
		{capturedDocs[3].file, "v0", v0},
		{capturedDocs[0].file, "v1", v1},
	} {
		d, err := pki.Parse(framePayload(t, c.from))
		if err != nil {
			t.Fatal(err)
		}
		d.Version = c.to
		b, err := d.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if got := keyShape(t, b); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s as %s: keys\n got %v\nwant %v", c.from, c.to, got, c.want)
		}
	}

	// A v0 node without services has "omitempty": null, as captured.
	b, err := (&pki.Document{GatewayNodes: []*pki.MixDescriptor{{Name: "gw"}}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var w struct{ GatewayNodes [][]byte }
	if err := cbor.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	var n map[string]cbor.RawMessage
	if err := cbor.Unmarshal(w.GatewayNodes[0], &n); err != nil {
		t.Fatal(err)
	}
	if v, ok := n["omitempty"]; !ok || !bytes.Equal(v, []byte{0xf6}) {
		t.Errorf(`"omitempty" = %x, %v, want null`, []byte(v), ok)
	}
}

// TestMarshalNilPreserved checks that null and empty stay apart.
func TestMarshalNilPreserved(t *testing.T) {
	for _, d := range []*pki.Document{
		{},
		{Topology: [][]*pki.MixDescriptor{}, GatewayNodes: []*pki.MixDescriptor{}, StorageReplicas: []*pki.ReplicaDescriptor{},
			SharedRandomCommit: map[[32]byte][]byte{}, PriorSharedRandom: [][]byte{}},
		{Topology: [][]*pki.MixDescriptor{nil, {}}},
	} {
		b, err := d.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		got, err := pki.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, d) {
			t.Errorf("round trip of %#v gave %#v", d, got)
		}
	}
}

func TestMarshalErrors(t *testing.T) {
	cases := map[string]*pki.Document{
		"nil document":        nil,
		"nil mix":             {Topology: [][]*pki.MixDescriptor{{nil}}},
		"nil gateway":         {GatewayNodes: []*pki.MixDescriptor{nil}},
		"nil service node v1": {Version: "v1", ServiceNodes: []*pki.MixDescriptor{nil}},
		"nil replica":         {StorageReplicas: []*pki.ReplicaDescriptor{nil}},
		"nil replica v1":      {Version: "v1", StorageReplicas: []*pki.ReplicaDescriptor{{Name: "r"}, nil}},
		"unencodable service": {ServiceNodes: []*pki.MixDescriptor{{Services: map[string]map[string]any{"x": {"c": make(chan int)}}}}},
	}
	for name, d := range cases {
		t.Run(name, func(t *testing.T) {
			if b, err := d.Marshal(); !errors.Is(err, pki.ErrInvalidDocument) || b != nil {
				t.Errorf("Marshal = %x, %v, want nil and ErrInvalidDocument", b, err)
			}
		})
	}
}
