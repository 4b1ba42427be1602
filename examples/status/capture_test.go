package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/katzenthin/katzenthin/pki"
)

// capturedDocument returns the PKI document a real kpclientd sent on
// connect, gen "47" for v0.0.47 (format v0: six services, epoch 2494607)
// or "99" for v0.0.99 (format v1), from the frames captured on local
// test networks in the repository's testdata/ (see its README.md). Their
// keys and names are fixed, so what is made of them can be compared with
// golden files. The frame is decoded generically, without package wire.
func capturedDocument(tb testing.TB, gen string) *pki.Document {
	tb.Helper()
	frame, err := os.ReadFile(filepath.Join("..", "..", "testdata", "daemon-v0.0."+gen, "02-new_pki_document_event.cbor"))
	if err != nil {
		tb.Fatal(err)
	}
	var event map[string]map[string]cbor.RawMessage
	if err := cbor.Unmarshal(frame, &event); err != nil {
		tb.Fatalf("capture %s: %v", gen, err)
	}
	var payload []byte
	if err := cbor.Unmarshal(event["new_pki_document_event"]["payload"], &payload); err != nil {
		tb.Fatalf("capture %s: payload: %v", gen, err)
	}
	doc, err := pki.Parse(payload)
	if err != nil {
		tb.Fatalf("capture %s: %v", gen, err)
	}
	return doc
}
