package pigeonhole_test

import (
	"testing"

	"github.com/katzenthin/katzenthin/pigeonhole"
)

// FuzzUnmarshalText: persisted caps come back from files an application
// does not fully trust; decoding never panics, and what decodes
// re-encodes to an equivalent text.
func FuzzUnmarshalText(f *testing.F) {
	var w pigeonhole.WriteCap
	text, _ := w.MarshalText()
	f.Add(text)
	f.Add([]byte("AAAA"))
	f.Add([]byte("not base64"))
	f.Fuzz(func(t *testing.T, text []byte) {
		var w pigeonhole.WriteCap
		var r pigeonhole.ReadCap
		var i pigeonhole.MessageBoxIndex
		for _, v := range []interface {
			UnmarshalText([]byte) error
			MarshalBinary() ([]byte, error)
		}{&w, &r, &i} {
			if err := v.UnmarshalText(text); err != nil {
				continue // any error will do; panics and wrong sizes fail
			}
			b, _ := v.MarshalBinary()
			if len(b) != pigeonhole.WriteCapSize && len(b) != pigeonhole.ReadCapSize && len(b) != pigeonhole.MessageBoxIndexSize {
				t.Fatalf("decoded %d bytes", len(b))
			}
		}
	})
}
