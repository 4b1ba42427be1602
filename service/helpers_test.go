package service_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/katzenthin/katzenthin/pki"
)

// testdata holds the captured frames, relative to this package.
const testdata = "../testdata"

// rawMap is one level of a captured frame, decoded generically so that
// these tests depend on neither the wire package nor the client.
type rawMap map[string]cbor.RawMessage

func readFrame(tb testing.TB, file string) rawMap {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, file))
	if err != nil {
		tb.Fatal(err)
	}
	return decode[rawMap](tb, b)
}

func decode[T any](tb testing.TB, b []byte) T {
	tb.Helper()
	var v T
	if err := cbor.Unmarshal(b, &v); err != nil {
		tb.Fatal(err)
	}
	return v
}

// capturedDocument parses the PKI document of a captured
// new_pki_document_event frame.
func capturedDocument(tb testing.TB, file string) *pki.Document {
	tb.Helper()
	event := decode[rawMap](tb, readFrame(tb, file)["new_pki_document_event"])
	doc, err := pki.Parse(decode[[]byte](tb, event["payload"]))
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// capturedSend returns the destination hash and queue a captured send
// request carried. op is "" for the flat v0.0.47 request, or the v0.0.99
// request's operation key.
func capturedSend(tb testing.TB, file, op string) (hash, queue []byte) {
	tb.Helper()
	req := readFrame(tb, file)
	if op != "" {
		req = decode[rawMap](tb, req[op])
	}
	return decode[[]byte](tb, req["destination_id_hash"]), decode[[]byte](tb, req["recipient_queue_id"])
}
