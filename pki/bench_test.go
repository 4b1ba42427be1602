package pki_test

import (
	"testing"

	"github.com/katzenthin/katzenthin/pki"
)

// benchDocs are the two greeting documents, one per generation.
var benchDocs = []capturedDoc{capturedDocs[0], capturedDocs[3]}

func BenchmarkParse(b *testing.B) {
	for _, c := range benchDocs {
		in := documentBytes(b, c)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := pki.Parse(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMarshal(b *testing.B) {
	for _, c := range benchDocs {
		d := mustParse(b, c)
		out, err := d.Marshal()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(out)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Marshal(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkIdentityHash(b *testing.B) {
	m := mustParse(b, capturedDocs[0]).ServiceNodes[0]
	b.SetBytes(int64(len(m.IdentityKey)))
	b.ReportAllocs()
	for b.Loop() {
		_ = m.IdentityHash()
	}
}
