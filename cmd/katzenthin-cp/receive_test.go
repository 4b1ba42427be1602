package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/daemonflag"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/wire"
)

// writeFirstBox writes box as the stream's first box, as any holder of
// the write cap could.
func writeFirstBox(t *testing.T, d *mock.Daemon, k keys, box []byte) {
	t.Helper()
	var w pigeonhole.WriteCap
	var at pigeonhole.MessageBoxIndex
	w.UnmarshalText([]byte(k.writeCap))
	at.UnmarshalText([]byte(k.index))
	if !d.WriteBox(w[:], at[:], box) {
		t.Fatal("box not written")
	}
}

// A receive refuses to overwrite a file or follow a symlink, and a
// hostile header or name; it exits 1 saying why and leaves DIR as it was.
func TestReceiveRefuses(t *testing.T) {
	hdr := func(name string, size uint64) []byte {
		b, err := header{Name: name, Size: size}.encode()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name  string
		box   []byte
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"existing file", hdr("f.txt", 1), func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "f.txt"), []byte("mine"), 0o600)
		}, "already exists, and is not overwritten"},
		{"symlink", hdr("f.txt", 1), func(t *testing.T, dir string) {
			os.Symlink(filepath.Join(t.TempDir(), "target"), filepath.Join(dir, "f.txt"))
		}, "already exists, and is not overwritten"},
		{"path", hdr("../f.txt", 1), nil, "path separator"},
		{"dot-dot", hdr("..", 1), nil, "a directory's name"},
		{"escape sequence", hdr("\x1b]0;pwned\x07", 1), nil, "control character"},
		{"not a header", []byte("\x00\x00\x00\x05hello"), nil, "no pigeonhole-cp file header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mock.Start(t, mock.WithGeneration(wire.Generation99))
			k := genkeys(t, d.Addr())
			dir := t.TempDir()
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			before, _ := os.ReadDir(dir)
			writeFirstBox(t, d, k, append(tc.box, 'x'))
			r := cp(t.Context(), "receive", "-daemon", d.Addr(), "-state", filepath.Join(t.TempDir(), "r"),
				"-read-cap", k.readCap, "-index", k.index, dir)
			if r.code != daemonflag.ExitFailure || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 1 saying %q", r.code, r.stderr, tc.want)
			}
			if strings.ContainsAny(r.stderr, "\x1b\x07") {
				t.Errorf("stderr holds the name's control characters: %q", r.stderr)
			}
			if after, _ := os.ReadDir(dir); len(after) != len(before) {
				t.Errorf("DIR held %d entries, now %d", len(before), len(after))
			}
			if b, err := os.ReadFile(filepath.Join(dir, "f.txt")); err == nil && string(b) != "mine" {
				t.Errorf("f.txt changed to %q", b)
			}
		})
	}
}
