package pki_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// testdata holds the captured frames, relative to this package.
const testdata = "../testdata"

// capturedDoc names a captured frame that carries a PKI document.
type capturedDoc struct {
	name     string
	file     string // relative to testdata
	cert     bool   // the payload is a signed certificate (get_pki_document_reply)
	greeting bool   // canonical encoding, sent on connect
}

var capturedDocs = []capturedDoc{
	{name: "v0.0.47/greeting", file: "daemon-v0.0.47/02-new_pki_document_event.cbor", greeting: true},
	{name: "v0.0.47/pushed-07", file: "daemon-v0.0.47/07-new_pki_document_event-gcwait.cbor"},
	{name: "v0.0.47/pushed-08", file: "daemon-v0.0.47/08-new_pki_document_event-gcwait.cbor"},
	{name: "v0.0.99/greeting", file: "daemon-v0.0.99/02-new_pki_document_event.cbor", greeting: true},
	{name: "v0.0.99/pushed-resume-12", file: "daemon-v0.0.99/resume-12-new_pki_document_event-pushed.cbor"},
	{name: "v0.0.99/certificate-06", file: "daemon-v0.0.99/06-get_pki_document_reply.cbor", cert: true},
}

// framePayload reads a captured daemon frame and returns the payload byte
// string of its event. The envelope is decoded generically so that these
// tests do not depend on the wire package.
func framePayload(tb testing.TB, file string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(testdata, file))
	if err != nil {
		tb.Fatal(err)
	}
	var env map[string]map[string]cbor.RawMessage
	if err := cbor.Unmarshal(raw, &env); err != nil {
		tb.Fatalf("%s: envelope: %v", file, err)
	}
	for _, event := range []string{"new_pki_document_event", "get_pki_document_reply"} {
		if p, ok := env[event]["payload"]; ok {
			var b []byte
			if err := cbor.Unmarshal(p, &b); err != nil {
				tb.Fatalf("%s: payload: %v", file, err)
			}
			return b
		}
	}
	tb.Fatalf("%s: no document payload", file)
	return nil
}

// documentBytes returns the document CBOR of a capture, unwrapping the
// certificate when there is one.
func documentBytes(tb testing.TB, c capturedDoc) []byte {
	tb.Helper()
	b := framePayload(tb, c.file)
	if !c.cert {
		return b
	}
	var cert struct{ Certified []byte }
	if err := cbor.Unmarshal(b, &cert); err != nil {
		tb.Fatalf("%s: certificate: %v", c.file, err)
	}
	return cert.Certified
}

// mapKeys returns the sorted keys of the CBOR map b.
func mapKeys(tb testing.TB, b []byte) []string {
	tb.Helper()
	var m map[string]cbor.RawMessage
	if err := cbor.Unmarshal(b, &m); err != nil {
		tb.Fatalf("map keys: %v", err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// keyShape describes a document's key sets: the top level's, then every
// descriptor's, in document order, so two encodings of a document can be
// compared for the keys they carry.
func keyShape(tb testing.TB, doc []byte) [][]string {
	tb.Helper()
	shape := [][]string{mapKeys(tb, doc)}
	var w struct {
		Topology     [][][]byte
		GatewayNodes [][]byte
		ServiceNodes [][]byte
	}
	if err := cbor.Unmarshal(doc, &w); err != nil {
		tb.Fatalf("key shape: %v", err)
	}
	for _, layer := range w.Topology {
		for _, n := range layer {
			shape = append(shape, mapKeys(tb, n))
		}
	}
	for _, n := range append(w.GatewayNodes, w.ServiceNodes...) {
		shape = append(shape, mapKeys(tb, n))
	}
	return shape
}

// encode marshals v with the default encoder; []byte values become byte
// strings, which is how descriptors are nested.
func encode(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := cbor.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
