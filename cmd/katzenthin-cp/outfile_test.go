package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPartFile(t *testing.T) {
	dir := t.TempDir()
	p, err := createPart(dir, "f.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "f.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the file has its name before it is complete")
	}
	p.Write([]byte("hello"))
	if err := p.finish(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "f.txt"))
	if err != nil || string(got) != "hello" {
		t.Fatalf("got %q, %v", got, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries left in the directory, want the file only", len(entries))
	}
}

// An existing file, or a symlink (even a dangling one), under the name
// is refused before anything is written, and left as it was.
func TestPartFileRefusesTakenName(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(dir, "taken"), []byte("keep me"), 0o600)
	target := filepath.Join(elsewhere, "target")
	os.WriteFile(target, []byte("keep me too"), 0o600)
	os.Symlink(target, filepath.Join(dir, "link"))
	os.Symlink(filepath.Join(elsewhere, "nothing"), filepath.Join(dir, "dangling"))
	for _, name := range []string{"taken", "link", "dangling"} {
		if _, err := createPart(dir, name); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "not overwritten") {
			t.Errorf("%s: got %v, want ErrExists", name, err)
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "keep me too" {
		t.Error("the symlink's target changed")
	}
	if _, err := os.Lstat(filepath.Join(elsewhere, "nothing")); !errors.Is(err, os.ErrNotExist) {
		t.Error("the dangling symlink's target was created")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "taken")); string(b) != "keep me" {
		t.Error("the existing file changed")
	}
}

// A name taken while the file arrives (here by a symlink) is not
// replaced: the data stays in the temporary file, which the error names.
func TestPartFileNameTakenMeanwhile(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	p, err := createPart(dir, "f.txt")
	if err != nil {
		t.Fatal(err)
	}
	p.Write([]byte("data"))
	target := filepath.Join(elsewhere, "target")
	os.Symlink(target, filepath.Join(dir, "f.txt"))
	err = p.finish()
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), p.path) {
		t.Fatalf("got %v, want ErrExists naming %s", err, p.path)
	}
	if b, err := os.ReadFile(p.path); err != nil || string(b) != "data" {
		t.Errorf("the temporary file holds %q, %v", b, err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Error("the symlink was followed")
	}
}

// A resumed receive keeps the bytes the state recorded and drops those
// written after them; a symlink where the temporary file was is not
// followed.
func TestOpenPart(t *testing.T) {
	dir := t.TempDir()
	p, err := createPart(dir, "f.txt")
	if err != nil {
		t.Fatal(err)
	}
	p.Write([]byte("recorded-unrecorded"))
	p.Close()
	p, err = openPart(p.path, p.final, int64(len("recorded")))
	if err != nil {
		t.Fatal(err)
	}
	p.Write([]byte("+more"))
	if err := p.finish(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "f.txt")); string(b) != "recorded+more" {
		t.Errorf("got %q", b)
	}

	if _, err := openPart(filepath.Join(dir, "gone"), filepath.Join(dir, "g"), 0); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing temporary file: got %v", err)
	}
	target := filepath.Join(t.TempDir(), "target")
	os.WriteFile(target, []byte("x"), 0o600)
	os.Symlink(target, filepath.Join(dir, "link.part"))
	if _, err := openPart(filepath.Join(dir, "link.part"), filepath.Join(dir, "h"), 0); err == nil {
		t.Error("a symlink was opened as the temporary file")
	}
	if _, err := openPart(filepath.Join(dir, "f.txt"), filepath.Join(dir, "i"), 100); err == nil || !strings.Contains(err.Error(), "100 were received") {
		t.Errorf("a temporary file shorter than recorded: got %v", err)
	}
}

// A receive that stopped between linking the file to its name and
// removing the temporary name, or after both but before recording it,
// finishes on the next run instead of taking its own file for another.
func TestFinishAgain(t *testing.T) {
	dir := t.TempDir()
	p, err := createPart(dir, "f.txt")
	if err != nil {
		t.Fatal(err)
	}
	p.Write([]byte("hello"))
	p.Close()
	if err := os.Link(p.path, p.final); err != nil { // the earlier run's link
		t.Fatal(err)
	}
	if finished(p.path, p.final, 5) {
		t.Error("finished while the temporary name is there")
	}
	p, err = openPart(p.path, p.final, 5)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.finish(); err != nil {
		t.Fatalf("finishing again: %v", err)
	}
	if !finished(p.path, p.final, 5) || finished(p.path, p.final, 6) {
		t.Error("finished does not tell a finished receive")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries, want the file only", len(entries))
	}
}
