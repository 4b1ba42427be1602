package pki_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/katzenthin/katzenthin/pki"
)

// FuzzParseDocument checks that Parse never panics, that its errors wrap
// ErrInvalidDocument, and that whatever it accepts Marshal can write and
// Parse read back, Marshal's output being a fixed point from then on.
func FuzzParseDocument(f *testing.F) {
	for _, c := range capturedDocs {
		f.Add(documentBytes(f, c))
	}
	// A document with storage replicas inline (PROTOCOL.md 9.9).
	f.Add(framePayload(f, "daemon-v0.0.99/pigeonhole/a-write-read/conn01/02-d2c-new_pki_document_event.cbor"))
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
		out2, err := d2.Marshal()
		if err != nil {
			t.Fatalf("second Marshal: %v", err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("Marshal is not a fixed point:\n%x\n%x", out, out2)
		}
	})
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
