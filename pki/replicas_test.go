package pki_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/katzenthin/katzenthin/pki"
)

// The document of a v0.0.99 network with storage replicas holds them as
// inline maps, not byte strings (docs/protocol.md 9.9, 9.11): it must parse,
// or a client cannot finish its handshake with such a daemon.
func TestParseInlineReplicas(t *testing.T) {
	for _, c := range replicaDocs {
		t.Run(c.name, func(t *testing.T) {
			doc := mustParse(t, c)
			if len(doc.StorageReplicas) != 3 {
				t.Fatalf("%d replicas, want the captured 3", len(doc.StorageReplicas))
			}
			for i, r := range doc.StorageReplicas {
				if r.Name == "" || len(r.IdentityKey) != 32 || len(r.EnvelopeKeys) != 2 {
					t.Errorf("replica %d: name %q, %d-byte identity key, %d envelope keys", i, r.Name, len(r.IdentityKey), len(r.EnvelopeKeys))
				}
				// The captured replicas are numbered in document order.
				if int(r.ReplicaID) != i {
					t.Errorf("replica %d: ReplicaID %d", i, r.ReplicaID)
				}
				for _, k := range r.EnvelopeKeys {
					if len(k) != 160 {
						t.Errorf("replica %d: envelope key of %d bytes, want 160", i, len(k))
					}
				}
			}
			// h'020100' and the identity keys in the same order: replica
			// 2's, 1's, 0's.
			if !bytes.Equal(doc.ConfiguredReplicaIDs, []byte{2, 1, 0}) {
				t.Errorf("ConfiguredReplicaIDs = %x, want 020100", doc.ConfiguredReplicaIDs)
			}
			if n := len(doc.ConfiguredReplicaIdentityKeys); n != 3 {
				t.Fatalf("%d ConfiguredReplicaIdentityKeys, want 3", n)
			}
			for i, id := range doc.ConfiguredReplicaIDs {
				if !bytes.Equal(doc.ConfiguredReplicaIdentityKeys[i], doc.StorageReplicas[id].IdentityKey) {
					t.Errorf("ConfiguredReplicaIdentityKeys[%d] is not replica %d's identity key", i, id)
				}
			}
		})
	}
}

// TestMarshalReplicasCaptured checks each replica Marshal writes against
// the captured bytes of the same entry: an inline 7-key map, identical to
// the greeting's and the canonical form of the pushed document's (whose
// maps are in struct order).
func TestMarshalReplicasCaptured(t *testing.T) {
	for _, c := range replicaDocs {
		t.Run(c.name, func(t *testing.T) {
			in := documentBytes(t, c)
			d, err := pki.Parse(in)
			if err != nil {
				t.Fatal(err)
			}
			out, err := d.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			got, want := replicaEntries(t, out), replicaEntries(t, in)
			if len(got) != len(want) || len(want) != 3 {
				t.Fatalf("%d replicas written, %d captured, want 3", len(got), len(want))
			}
			for i := range want {
				if want[i][0] != 0xa7 {
					t.Fatalf("captured replica %d starts %#x, want an inline map of 7 pairs (0xa7)", i, want[i][0])
				}
				w := []byte(want[i])
				if !c.greeting {
					w = canonical(t, w)
				}
				if !bytes.Equal(got[i], w) {
					t.Errorf("replica %d:\n got %x\nwant %x", i, []byte(got[i]), w)
				}
			}
		})
	}
}

// TestMarshalTwoReplicas round-trips a document with two replicas in each
// generation and checks the form of every entry: inline maps with
// ReplicaID for v1, byte strings holding the six keys upstream describes (docs/protocol.md 6) for v0.
func TestMarshalTwoReplicas(t *testing.T) {
	v0Keys := []string{"Addresses", "EnvelopeKeys", "Epoch", "IdentityKey", "LinkKey", "Name"}
	v1Keys := []string{"Addresses", "EnvelopeKeys", "Epoch", "IdentityKey", "LinkKey", "Name", "ReplicaID"}
	for _, c := range []struct {
		version string
		major   byte // CBOR major type of each entry
		keys    []string
	}{
		{"v1", 5, v1Keys},
		{"v0", 2, v0Keys},
	} {
		t.Run(c.version, func(t *testing.T) {
			d := &pki.Document{
				Version: c.version,
				StorageReplicas: []*pki.ReplicaDescriptor{{
					Name: "replica1", ReplicaID: 1, Epoch: 5, IdentityKey: []byte{1, 2}, LinkKey: []byte{3},
					EnvelopeKeys: map[uint64][]byte{4: {5}, 6: {7}}, Addresses: map[string][]string{"tcp": {"tcp://127.0.0.1:1"}},
				}, {
					Name: "replica0", ReplicaID: 0, Epoch: 5, IdentityKey: []byte{8},
				}},
				ConfiguredReplicaIDs:          []byte{1, 0},
				ConfiguredReplicaIdentityKeys: [][]byte{{1, 2}, {8}},
			}
			b, err := d.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			entries := replicaEntries(t, b)
			if len(entries) != 2 {
				t.Fatalf("%d replicas written, want 2", len(entries))
			}
			for i, e := range entries {
				if e[0]>>5 != c.major {
					t.Errorf("replica %d: major type %d, want %d", i, e[0]>>5, c.major)
				}
			}
			shape := keyShape(t, b)
			for i, keys := range shape[len(shape)-2:] {
				if !reflect.DeepEqual(keys, c.keys) {
					t.Errorf("replica %d: keys %v, want %v", i, keys, c.keys)
				}
			}
			var top map[string]cbor.RawMessage
			if err := cbor.Unmarshal(b, &top); err != nil {
				t.Fatal(err)
			}
			_, hasIDs := top["ConfiguredReplicaIDs"]
			_, hasKeys := top["ConfiguredReplicaIdentityKeys"]
			if want := c.version == "v1"; hasIDs != want || hasKeys != want {
				t.Errorf("ConfiguredReplicaIDs, ConfiguredReplicaIdentityKeys written: %v, %v, want %v", hasIDs, hasKeys, want)
			}

			got, err := pki.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if want := withoutForeignFields(d); !reflect.DeepEqual(got, want) {
				t.Errorf("round trip:\n got %#v\nwant %#v", got, want)
			}
		})
	}
}

// TestConfiguredReplicasOmittedWhenEmpty checks that a v1 document without
// a replica set has the 19 keys of the captured greeting, as the daemon
// leaves the two Configured keys out, and that an empty one parses as nil.
func TestConfiguredReplicasOmittedWhenEmpty(t *testing.T) {
	d := &pki.Document{Version: "v1", ConfiguredReplicaIDs: []byte{}, ConfiguredReplicaIdentityKeys: [][]byte{}}
	b, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(mapKeys(t, b)); n != 19 {
		t.Errorf("%d keys, want 19", n)
	}
	got, err := pki.Parse(doc(t, map[string]any{"ConfiguredReplicaIDs": []byte{}, "ConfiguredReplicaIdentityKeys": [][]byte{}}))
	if err != nil {
		t.Fatal(err)
	}
	if got.ConfiguredReplicaIDs != nil || got.ConfiguredReplicaIdentityKeys != nil {
		t.Errorf("empty Configured keys parsed as %#v, %#v, want nil", got.ConfiguredReplicaIDs, got.ConfiguredReplicaIdentityKeys)
	}
}
