package wire_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestCapturedCopiesMatchReference: the repository keeps copies of the
// reference captures (../shared/testdata beside the repository, where
// the project's specification lives) so that a clone tests on its own.
// Where the reference is present, the copies must not have drifted.
func TestCapturedCopiesMatchReference(t *testing.T) {
	ref := filepath.Join("..", "..", "shared", "testdata")
	if _, err := os.Stat(ref); err != nil {
		t.Skip("the reference captures are not beside this repository")
	}
	// Every file under each generation's folder, the Pigeonhole flows'
	// sub-folders included.
	var refs []string
	dirs, err := filepath.Glob(filepath.Join(ref, "daemon-*"))
	for _, dir := range dirs {
		err = errors.Join(err, filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				refs = append(refs, p)
			}
			return err
		}))
	}
	if err != nil || len(refs) == 0 {
		t.Fatalf("no reference files: %v", err)
	}
	for _, p := range refs {
		rel, _ := filepath.Rel(ref, p)
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("..", "testdata", rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("testdata/%s differs from the reference (%v)", rel, err)
		}
	}
}
