package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSnapshotUpToDate is the check `make test` runs: api/katzenthin.txt
// lists the module's exported API as it is now.
func TestSnapshotUpToDate(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Snapshot(root)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, File))
	if err != nil {
		t.Fatalf("%v: run make api and commit %s", err, File)
	}
	want := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if slices.Equal(got, want) {
		return
	}
	var diff []string
	for _, l := range got {
		if !slices.Contains(want, l) {
			diff = append(diff, "+ "+l)
		}
	}
	for _, l := range want {
		if !slices.Contains(got, l) {
			diff = append(diff, "- "+l)
		}
	}
	if len(diff) == 0 {
		diff = append(diff, "(the same lines in another order: the file was edited by hand)")
	}
	t.Fatalf("the exported API changed: run make api and commit %s\n%s", File, strings.Join(diff, "\n"))
}

func TestSnapshotForms(t *testing.T) {
	got, err := Snapshot(filepath.Join("testdata", "mod"))
	if err != nil {
		t.Fatal(err)
	}
	const p = "pkg example.com/mod/a, "
	want := []string{
		p + "const Big = 1 << 20",
		p + "const KindA Kind",
		p + "const KindB Kind",
		p + "const Named Kind = 3",
		p + "func Map[K comparable, V any](map[K]V) []K",
		p + "func New(context.Context, int, int, ...string) (*Config, error)",
		p + "method (*Config) Close() error",
		p + "method (Config) String() string",
		p + "method (Pair) Get() K",
		p + "type Alias = Config",
		p + "type Config struct",
		p + "type Config struct, A int",
		p + "type Config struct, B int",
		p + "type Config struct, Name string",
		p + "type Config struct, Size int",
		p + "type Config struct, embedded *Kind",
		p + "type Config struct, embedded io.Reader",
		p + "type Doer interface { Do, io.Closer, unexported methods }",
		p + "type Doer interface, Do(context.Context, int) (int, error)",
		p + "type Doer interface, io.Closer",
		p + "type Kind int",
		p + "type Pair[K comparable, V any] struct",
		p + "type Pair[K comparable, V any] struct, Key K",
		p + "var Default Config",
		p + "var DefaultPtr *Config",
		p + "var ErrBad error",
		p + "var Hook func(int) error",
		p + "var Y = 2",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Snapshot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
