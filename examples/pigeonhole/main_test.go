package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/katzenthin/katzenthin/daemonflag"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func runProgram(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// Against the mock, Bob reads back every message and the file, and each
// step says how long it took.
func TestMockRun(t *testing.T) {
	code, out, errOut := runProgram(t, "-mock", "-messages", "2", "-size", "4000")
	if code != daemonflag.ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, re := range []string{
		`(?m)^alice: create a stream done in \S+$`,
		`(?m)^alice: write message 2 done in \S+: 20 bytes$`,
		`(?m)^alice:   copy: 4/4 boxes after \S+$`,
		`(?m)^bob: read message 2 done in \S+: 20 bytes, as written$`,
		`(?m)^bob:   read: 3/3 boxes after \S+$`,
		`(?m)^bob: read the file done in \S+: 4000 bytes, identical$`,
		`(?m)^all done in \S+: Bob read back everything Alice wrote$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", re, out)
		}
	}
}

// -file writes a file's content; an empty -size writes none.
func TestMockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, bytes.Repeat([]byte("katzen"), 500), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runProgram(t, "-mock", "-messages", "0", "-file", path)
	if code != daemonflag.ExitOK || !strings.Contains(out, "3000 bytes, identical") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runProgram(t, "-mock", "-messages", "1", "-size", "0")
	if code != daemonflag.ExitOK || strings.Contains(out, "copy command") {
		t.Fatalf("exit %d with -size 0:\n%s", code, out)
	}
}

// A v0.0.47 daemon has no Pigeonhole: the program says so and fails.
func TestOldDaemon(t *testing.T) {
	code, _, errOut := runProgram(t, "-mock", "-mock-generation", "47")
	if code != daemonflag.ExitFailure || !strings.Contains(errOut, "needs v0.0.99") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-mock", "-messages", "-1"},
		{"-mock", "-size", "-5"},
		{"-mock", "-timeout", "0"},
		{"-mock-local", "1s"},
	} {
		if code, _, _ := runProgram(t, args...); code != daemonflag.ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, daemonflag.ExitUsage)
		}
	}
}
