package pki_test

import (
	"testing"

	"github.com/katzenthin/katzenthin/pki"
)

// The document of a v0.0.99 network with storage replicas holds them as
// inline maps, not byte strings (PROTOCOL.md 9.9, 9.11): it must parse,
// or a client cannot finish its handshake with such a daemon.
func TestParseInlineReplicas(t *testing.T) {
	doc, err := pki.Parse(framePayload(t, "daemon-v0.0.99/pigeonhole/a-write-read/conn01/02-d2c-new_pki_document_event.cbor"))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.StorageReplicas) != 3 {
		t.Fatalf("%d replicas, want the captured 3", len(doc.StorageReplicas))
	}
	for i, r := range doc.StorageReplicas {
		if r.Name == "" || len(r.IdentityKey) == 0 || len(r.EnvelopeKeys) != 2 {
			t.Errorf("replica %d: name %q, %d-byte identity key, %d envelope keys", i, r.Name, len(r.IdentityKey), len(r.EnvelopeKeys))
		}
		for _, k := range r.EnvelopeKeys {
			if len(k) != 160 {
				t.Errorf("replica %d: envelope key of %d bytes, want 160", i, len(k))
			}
		}
	}
	// Re-encoded (as byte strings) it parses to the same replicas.
	b, err := doc.Marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	again, err := pki.Parse(b)
	if err != nil || len(again.StorageReplicas) != 3 || again.StorageReplicas[0].Name != doc.StorageReplicas[0].Name {
		t.Fatalf("round trip: %v", err)
	}
}
