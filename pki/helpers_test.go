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

// replicaDocs are captured v0.0.99 documents of a network with three
// storage replicas (testdata/daemon-v0.0.99/pigeonhole): the greeting, and
// one pushed at the next epoch, in struct order down to its inline replica
// maps. They are apart from capturedDocs, whose order the parse tests
// rely on.
var replicaDocs = []capturedDoc{
	{name: "v0.0.99/replicas/greeting", file: "daemon-v0.0.99/pigeonhole/a-write-read/conn01/02-d2c-new_pki_document_event.cbor", greeting: true},
	{name: "v0.0.99/replicas/pushed-14", file: "daemon-v0.0.99/pigeonhole/b-empty-box-read/conn01/14-d2c-new_pki_document_event.cbor"},
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
// descriptor's, storage replicas last, in document order, so two encodings
// of a document can be compared for the keys they carry. A replica counts
// the same whether inline or in a byte string (replicaEntries says which).
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
	for _, r := range replicaEntries(tb, doc) {
		if r[0]>>5 == 2 { // a byte string holding the map
			var inner []byte
			if err := cbor.Unmarshal(r, &inner); err != nil {
				tb.Fatalf("key shape: replica: %v", err)
			}
			r = inner
		}
		shape = append(shape, mapKeys(tb, r))
	}
	return shape
}

// replicaEntries returns the raw CBOR of each StorageReplicas element, as
// written: an inline map (major type 5) or a byte string (major type 2).
func replicaEntries(tb testing.TB, doc []byte) []cbor.RawMessage {
	tb.Helper()
	var w struct{ StorageReplicas []cbor.RawMessage }
	if err := cbor.Unmarshal(doc, &w); err != nil {
		tb.Fatalf("StorageReplicas: %v", err)
	}
	return w.StorageReplicas
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
