package main

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

// keys is what genkey printed.
type keys struct{ writeCap, readCap, index string }

// genkeys runs genkey against the daemon at addr.
func genkeys(t *testing.T, addr string) keys {
	t.Helper()
	r := mustCP(t, "genkey", "-daemon", addr)
	var k keys
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		name, val, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("genkey printed %q", line)
		}
		switch name {
		case "write-cap":
			k.writeCap = val
		case "read-cap":
			k.readCap = val
		case "index":
			k.index = val
		default:
			t.Fatalf("genkey printed a line for %q", name)
		}
	}
	if k.writeCap == "" || k.readCap == "" || k.index == "" {
		t.Fatalf("genkey printed %q", r.stdout)
	}
	return k
}

// randomFile writes n random bytes into dir/name.
func randomFile(t *testing.T, dir, name string, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		flag []string
		size int
	}{
		{"copy", nil, 5000},
		{"no-copy", []string{"-no-copy"}, 5000},
		{"copy-empty", nil, 0},
		{"no-copy-empty", []string{"-no-copy"}, 0},
		{"no-copy-one-box", []string{"-no-copy"}, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mock.Start(t, mock.WithGeneration(wire.Generation99))
			k := genkeys(t, d.Addr())
			src, dst, state := t.TempDir(), t.TempDir(), t.TempDir()
			want := randomFile(t, src, "hello.bin", tc.size)

			args := append([]string{"send", "-daemon", d.Addr(), "-state", filepath.Join(state, "send.json"),
				"-write-cap", k.writeCap, "-index", k.index}, tc.flag...)
			r := mustCP(t, append(args, filepath.Join(src, "hello.bin"))...)
			if !strings.Contains(r.stdout, "sent ") || !strings.Contains(r.stdout, "KiB/s") {
				t.Errorf("send printed no throughput line: %q", r.stdout)
			}
			r = mustCP(t, "receive", "-daemon", d.Addr(), "-state", filepath.Join(state, "receive.json"),
				"-read-cap", k.readCap, "-index", k.index, dst)
			got, err := os.ReadFile(filepath.Join(dst, "hello.bin"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("received %d bytes that differ from the %d sent", len(got), len(want))
			}
			if entries, _ := os.ReadDir(dst); len(entries) != 1 {
				t.Errorf("the destination holds %d entries, want only the file", len(entries))
			}
			for _, s := range []string{k.writeCap, k.readCap, k.index} {
				if strings.Contains(r.stdout+r.stderr, s) {
					t.Error("receive printed a capability or index")
				}
			}
		})
	}
}

// genkey and send work on the bundled mock daemon too, to try them out.
func TestMockFlag(t *testing.T) {
	r := mustCP(t, "genkey", "-mock")
	if !strings.Contains(r.stderr, "using the bundled mock daemon") || strings.Count(r.stdout, "\n") != 3 {
		t.Fatalf("genkey -mock: stdout %q, stderr %q", r.stdout, r.stderr)
	}
	lines := strings.Split(r.stdout, "\n")
	src := t.TempDir()
	randomFile(t, src, "f.bin", 3000)
	r = mustCP(t, "send", "-mock", "-state", filepath.Join(t.TempDir(), "s"), "-no-copy",
		"-write-cap", strings.TrimPrefix(lines[0], "write-cap: "), "-index", strings.TrimPrefix(lines[2], "index: "),
		filepath.Join(src, "f.bin"))
	if !strings.Contains(r.stdout, "sent 3000 bytes in 2 boxes (no-copy)") {
		t.Errorf("send -mock printed %q", r.stdout)
	}
}
