package wire_test

import (
	"os"
	"path/filepath"
	"testing"
)

// captured returns a frame body captured from a real daemon: gen is
// "47" or "99", name the file's name without ".cbor".
func captured(t testing.TB, gen, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "daemon-v0.0."+gen, name+".cbor"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// capturedAll returns every captured frame body of generation gen by name.
func capturedAll(t testing.TB, gen string) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "daemon-v0.0."+gen, "*.cbor"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no captured frames for %s: %v", gen, err)
	}
	out := make(map[string][]byte)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p[:len(p)-len(".cbor")])] = b
	}
	return out
}
