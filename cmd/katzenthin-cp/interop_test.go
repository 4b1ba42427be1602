package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/wire"
)

// The box size of the mock's geometry (and the captured network's).
const mockMaxPlaintext = 1549

// rustBoxes cuts a file the way the Rust pigeonhole-cp lays it out: the
// header and the file in one stream, the first box holding the header
// and the first file bytes. In no-copy mode a box holds max bytes of
// file after the first; in copy mode the daemon cuts header and file
// together into boxes of max-4 bytes.
func rustBoxes(t *testing.T, name string, file []byte, noCopy bool) [][]byte {
	t.Helper()
	hdr, err := header{Name: name, Size: uint64(len(file))}.encode()
	if err != nil {
		t.Fatal(err)
	}
	stream := append(hdr, file...)
	var boxes [][]byte
	cut := func(n int) {
		n = min(n, len(stream))
		boxes = append(boxes, stream[:n])
		stream = stream[n:]
	}
	if noCopy {
		cut(mockMaxPlaintext)
		for len(stream) > 0 {
			cut(mockMaxPlaintext)
		}
		return boxes
	}
	for cut(mockMaxPlaintext - 4); len(stream) > 0; {
		cut(mockMaxPlaintext - 4)
	}
	return boxes
}

// A file the Rust tool sent (its boxes written here as it writes them)
// is received whole, in both of its layouts.
func TestReceiveFromRust(t *testing.T) {
	for _, noCopy := range []bool{false, true} {
		d := mock.Start(t, mock.WithGeneration(wire.Generation99))
		k := genkeys(t, d.Addr())
		var w pigeonhole.WriteCap
		var at pigeonhole.MessageBoxIndex
		w.UnmarshalText([]byte(k.writeCap))
		at.UnmarshalText([]byte(k.index))
		p := pigeonhole.New(dial(t, d))
		file := bytes.Repeat([]byte("0123456789abcdef"), 400) // 6400 bytes
		for i, box := range rustBoxes(t, "from-rust.txt", file, noCopy) {
			if !d.WriteBox(w[:], at[:], box) {
				t.Fatalf("box %d not written", i)
			}
			var err error
			if at, err = p.NextIndex(t.Context(), &at); err != nil {
				t.Fatal(err)
			}
		}
		dst := t.TempDir()
		mustCP(t, "receive", "-daemon", d.Addr(), "-state", filepath.Join(t.TempDir(), "r"),
			"-read-cap", k.readCap, "-index", k.index, dst)
		if got, _ := os.ReadFile(filepath.Join(dst, "from-rust.txt")); !bytes.Equal(got, file) {
			t.Errorf("no-copy %v: received %d bytes that differ from the %d sent", noCopy, len(got), len(file))
		}
	}
}

// What we send is box for box what the Rust tool sends, in both modes,
// and nothing follows it.
func TestSendAsRust(t *testing.T) {
	for _, noCopy := range []bool{false, true} {
		d := mock.Start(t, mock.WithGeneration(wire.Generation99))
		k := genkeys(t, d.Addr())
		src := t.TempDir()
		file := randomFile(t, src, "to-rust.bin", 6400)
		args := []string{"send", "-daemon", d.Addr(), "-state", filepath.Join(t.TempDir(), "s"),
			"-write-cap", k.writeCap, "-index", k.index, filepath.Join(src, "to-rust.bin")}
		if noCopy {
			args = append(args, "-no-copy")
		}
		mustCP(t, args...)
		var r pigeonhole.ReadCap
		var at pigeonhole.MessageBoxIndex
		r.UnmarshalText([]byte(k.readCap))
		at.UnmarshalText([]byte(k.index))
		reader := pigeonhole.New(dial(t, d)).ResumeReader(pigeonhole.ReaderState{Cap: r, Next: at})
		want := rustBoxes(t, "to-rust.bin", file, noCopy)
		for i, box := range want {
			got, err := reader.TryRead(t.Context())
			if err != nil || !bytes.Equal(got, box) {
				t.Fatalf("no-copy %v: box %d: %d bytes, %v; want the Rust tool's %d bytes", noCopy, i, len(got), err, len(box))
			}
		}
		if _, err := reader.TryRead(t.Context()); err == nil {
			t.Errorf("no-copy %v: a box after the file's %d", noCopy, len(want))
		}
	}
}
