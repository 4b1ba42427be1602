package main

import (
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/daemonflag"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/wire"
)

// b64 is n random bytes in base64.
func b64(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// Mistakes in the command line exit 2 and say which argument is wrong
// and why, without quoting a capability.
func TestBadArguments(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, []byte("x"), 0o600)
	w, r, i := b64(pigeonhole.WriteCapSize), b64(pigeonhole.ReadCapSize), b64(pigeonhole.MessageBoxIndexSize)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no verb", nil, "Usage:"},
		{"unknown verb", []string{"copy"}, `unknown verb "copy"`},
		{"write cap not base64", []string{"send", "-write-cap", "not*base64", "-index", i, file}, "-write-cap: not a write cap: not base64"},
		{"read cap as write cap", []string{"send", "-write-cap", r, "-index", i, file}, "-write-cap: not a write cap: 136 bytes, a write cap has 168: this is a read cap"},
		{"write cap as index", []string{"send", "-write-cap", w, "-index", w, file}, "-index: not an index: 168 bytes, an index has 104: this is a write cap"},
		{"short read cap", []string{"receive", "-read-cap", b64(10), "-index", i, dir}, "-read-cap: not a read cap: 10 bytes, a read cap has 136"},
		{"index missing", []string{"send", "-write-cap", w, file}, "-index is required"},
		{"read cap missing", []string{"receive", "-index", i, dir}, "-read-cap is required"},
		{"file missing", []string{"send", "-write-cap", w, "-index", i}, "missing FILE"},
		{"two files", []string{"send", "-write-cap", w, "-index", i, file, file}, "unexpected arguments"},
		{"dir is a file", []string{"receive", "-read-cap", r, "-index", i, file}, "is not a directory"},
		{"unknown flag", []string{"genkey", "-nope"}, "flag provided but not defined: -nope"},
		{"receive from the mock", []string{"receive", "-mock", "-read-cap", r, "-index", i, dir}, "nothing would ever arrive"},
	} {
		res := cp(t.Context(), tc.args...)
		if res.code != daemonflag.ExitUsage || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 saying %q", tc.name, res.code, res.stderr, tc.want)
		}
		for _, secret := range []string{w, r, i} {
			if strings.Contains(res.stdout+res.stderr, secret) {
				t.Errorf("%s: a capability was printed", tc.name)
			}
		}
	}
}

// A file too large for a copy command is refused before any daemon is
// asked, pointing at -no-copy.
func TestCopyTooLarge(t *testing.T) {
	file := filepath.Join(t.TempDir(), "big")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(maxCopyPayload) // sparse: no disk used
	f.Close()
	res := cp(t.Context(), "send", "-daemon", "@katzenthin-cp-test-nobody", "-write-cap", b64(pigeonhole.WriteCapSize),
		"-index", b64(pigeonhole.MessageBoxIndexSize), file)
	if res.code != daemonflag.ExitUsage || !strings.Contains(res.stderr, "pass -no-copy") {
		t.Errorf("exit %d, stderr %q; want exit 2 pointing at -no-copy", res.code, res.stderr)
	}
}

// No daemon: the examples' message, saying how to start one. Every verb
// exits 1.
func TestNoDaemon(t *testing.T) {
	addr := "@katzenthin-cp-test-" + b64(6)
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, []byte("x"), 0o600)
	w, r, i := b64(pigeonhole.WriteCapSize), b64(pigeonhole.ReadCapSize), b64(pigeonhole.MessageBoxIndexSize)
	for _, args := range [][]string{
		{"genkey", "-daemon", addr},
		{"send", "-daemon", addr, "-state", filepath.Join(dir, "s"), "-write-cap", w, "-index", i, file},
		{"receive", "-daemon", addr, "-state", filepath.Join(dir, "r"), "-read-cap", r, "-index", i, dir},
	} {
		res := cp(t.Context(), args...)
		if res.code != daemonflag.ExitFailure || !strings.Contains(res.stderr, "no daemon is listening at "+addr) ||
			!strings.Contains(res.stderr, "-mock") {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 and the no-daemon advice", args[0], res.code, res.stderr)
		}
	}
}

// A v0.0.47 daemon has no Pigeonhole: the message says which version is
// needed.
func TestOldDaemon(t *testing.T) {
	d := mock.Start(t, mock.WithGeneration(wire.Generation47))
	res := cp(t.Context(), "genkey", "-daemon", d.Addr())
	if res.code != daemonflag.ExitFailure || !strings.Contains(res.stderr, "kpclientd v0.0.47, which has no Pigeonhole: katzenthin-cp needs kpclientd v0.0.99") {
		t.Errorf("exit %d, stderr %q; want exit 1 naming v0.0.99", res.code, res.stderr)
	}
}

// -config names the daemon through the thin-client configuration file;
// it and -daemon exclude each other, and a bad file is a usage error
// naming the flag.
func TestConfig(t *testing.T) {
	d := mock.Start(t, mock.WithGeneration(wire.Generation99))
	dir := t.TempDir()
	config := filepath.Join(dir, "thinclient.toml")
	addr := strings.TrimPrefix(d.Addr(), "@")
	if err := os.WriteFile(config, []byte("[Dial]\n[Dial.Unix]\nAddress = \"@"+addr+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := mustCP(t, "genkey", "-config", config)
	if !strings.Contains(r.stdout, "write-cap: ") {
		t.Errorf("genkey -config printed %q", r.stdout)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"genkey", "-config", config, "-daemon", d.Addr()}, "exclude each other"},
		{[]string{"genkey", "-config", filepath.Join(dir, "missing.toml")}, "-config: "},
	} {
		if r := cp(t.Context(), tc.args...); r.code != daemonflag.ExitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 saying %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}
