package pki_test

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/katzenthin/katzenthin/pki"
)

// FuzzParseDocument checks that Parse never panics, that its errors wrap
// ErrInvalidDocument, and that whatever it accepts Marshal can write and
// Parse read back, Marshal's output being a fixed point from then on. The
// storage replicas, whichever form they came in, must survive that round
// trip with every field the document's generation writes.
func FuzzParseDocument(f *testing.F) {
	// The captures include documents with storage replicas inline
	// (replicaDocs, docs/protocol.md 9.9).
	for _, c := range slices.Concat(capturedDocs, replicaDocs) {
		f.Add(documentBytes(f, c))
	}
	// A v1 document with its replicas in the byte string form.
	f.Add(doc(f, map[string]any{"Version": "v1", "StorageReplicas": [][]byte{
		encode(f, map[string]any{"Name": "r", "ReplicaID": 3, "EnvelopeKeys": map[uint64][]byte{1: {2}}}),
	}}))
	f.Add([]byte{0xa0})
	f.Add([]byte{0xf6})
	for _, version := range []string{"v0", "v1"} {
		b, err := synthetic(version).Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(doc(f, nil))
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := pki.Parse(in)
		if err != nil {
			if !errors.Is(err, pki.ErrInvalidDocument) || d != nil {
				t.Fatalf("Parse = %v, %v", d, err)
			}
			return
		}
		_ = d.String()
		for m := range d.Nodes() {
			_, _ = d.Layer(m)
			_, _ = m.Endpoint("echo")
		}
		out, err := d.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed document: %v", err)
		}
		d2, err := pki.Parse(out)
		if err != nil {
			t.Fatalf("Parse(Marshal(Parse(x))): %v", err)
		}
		checkReplicasKept(t, d, d2)
		out2, err := d2.Marshal()
		if err != nil {
			t.Fatalf("second Marshal: %v", err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("Marshal is not a fixed point:\n%x\n%x", out, out2)
		}
	})
}

// checkReplicasKept fails t unless the round trip from d to d2 kept the
// replicas and the replica set: all of it for a v1 document, all but
// ReplicaID and the two Configured fields (which v0 does not write) for
// any other.
func checkReplicasKept(t *testing.T, d, d2 *pki.Document) {
	t.Helper()
	want := withoutForeignFields(d)
	if !reflect.DeepEqual(d2.StorageReplicas, want.StorageReplicas) {
		t.Fatalf("replicas changed in a round trip:\n got %#v\nwant %#v", d2.StorageReplicas, want.StorageReplicas)
	}
	if !reflect.DeepEqual(d2.ConfiguredReplicaIDs, want.ConfiguredReplicaIDs) ||
		!reflect.DeepEqual(d2.ConfiguredReplicaIdentityKeys, want.ConfiguredReplicaIdentityKeys) {
		t.Fatalf("replica set changed in a round trip: %x %x, want %x %x",
			d2.ConfiguredReplicaIDs, d2.ConfiguredReplicaIdentityKeys, want.ConfiguredReplicaIDs, want.ConfiguredReplicaIdentityKeys)
	}
}

// FuzzParseCertificate checks that ParseCertificate never panics and that
// its errors wrap ErrInvalidDocument.
func FuzzParseCertificate(f *testing.F) {
	f.Add(framePayload(f, capturedDocs[5].file))
	f.Add(encode(f, map[string]any{"Certified": []byte{0xa0}}))
	f.Add([]byte{0xa0})
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := pki.ParseCertificate(in)
		if err != nil && (!errors.Is(err, pki.ErrInvalidDocument) || d != nil) {
			t.Fatalf("ParseCertificate = %v, %v", d, err)
		}
		if err == nil && d == nil {
			t.Fatal("ParseCertificate returned neither a document nor an error")
		}
	})
}
