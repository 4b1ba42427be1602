package examples_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Every example program carries the same daemon.go (the flags that
// choose the daemon, connect, one-line errors), so that each can be
// copied out on its own. A fix to one copy must reach them all.
func TestDaemonFilesIdentical(t *testing.T) {
	programs := []string{"echo", "pkidoc", "status", "pigeonhole"}
	want, err := os.ReadFile(filepath.Join(programs[0], "daemon.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range programs[1:] {
		got, err := os.ReadFile(filepath.Join(p, "daemon.go"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s/daemon.go differs from %s/daemon.go: copy the changed one over the others", p, programs[0])
		}
	}
}
