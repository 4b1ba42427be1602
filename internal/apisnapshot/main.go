// Command apisnapshot writes the module's exported API, one line per
// name, as Go's own api/ files list the standard library's: a change to
// the public API then shows in review as a diff of api/katzenthin.txt.
// `make api` runs it; its test, part of `make test`, fails when the file
// is out of date.
//
//	go run ./internal/apisnapshot            # writes api/katzenthin.txt
//	go run ./internal/apisnapshot -o -       # prints it
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// File is the snapshot's path, relative to the module root.
const File = "api/katzenthin.txt"

func main() {
	out := flag.String("o", File, `where to write the snapshot, relative to the module root; "-" for stdout`)
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "apisnapshot:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	lines, err := Snapshot(root)
	if err != nil {
		return err
	}
	text := strings.Join(lines, "\n") + "\n"
	if out == "-" {
		_, err := os.Stdout.WriteString(text)
		return err
	}
	path := filepath.Join(root, out)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// moduleRoot finds the directory of go.mod, from the working directory
// up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}
