package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

// Without -state, a transfer keeps its state in the user's cache
// directory, under a name that the verb, capability and index decide and
// that holds none of them; readable by the user only.
func TestDefaultState(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", cache) // where os.UserCacheDir looks on macOS
	a, _ := defaultStatePath("send", []byte("cap"), []byte("index"))
	for _, other := range [][3]string{{"receive", "cap", "index"}, {"send", "cap2", "index"}, {"send", "cap", "index2"}} {
		if b, _ := defaultStatePath(other[0], []byte(other[1]), []byte(other[2])); b == a {
			t.Errorf("%q: the same state path as another transfer's", other)
		}
	}
	if b, _ := defaultStatePath("send", []byte("cap"), []byte("index")); b != a {
		t.Error("the same transfer has another state path")
	}

	d := mock.Start(t, mock.WithGeneration(wire.Generation99))
	k := genkeys(t, d.Addr())
	src := t.TempDir()
	randomFile(t, src, "f.bin", 10)
	mustCP(t, "send", "-daemon", d.Addr(), "-write-cap", k.writeCap, "-index", k.index, filepath.Join(src, "f.bin"))
	dir, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "katzenthin-cp"))
	if err != nil || len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), ".db") {
		t.Fatalf("the cache directory holds %v, %v; want one .db", entries, err)
	}
	for path, want := range map[string]os.FileMode{
		filepath.Join(dir, "katzenthin-cp"):                    0o700,
		filepath.Join(dir, "katzenthin-cp", entries[0].Name()): 0o600,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
		}
	}
}
