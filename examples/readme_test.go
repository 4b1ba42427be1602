package examples_test

import (
	"go/format"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// goBlocks returns the ```go blocks of a Markdown text, each as its lines.
func goBlocks(markdown string) [][]string { return fenced(markdown, "```go") }

// fenced returns the blocks of a Markdown text that open with fence.
func fenced(markdown, fence string) [][]string {
	var blocks [][]string
	var block []string
	in := false
	for line := range strings.Lines(markdown) {
		line = strings.TrimRight(line, "\r\n")
		switch {
		case !in && line == fence:
			in, block = true, nil
		case in && line == "```":
			in = false
			blocks = append(blocks, block)
		case in:
			block = append(block, line)
		}
	}
	return blocks
}

// normalize trims each line's indentation and drops blank lines, so that
// a snippet matches its code whatever the README's indentation.
func normalize(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// contains reports whether sub appears in lines, consecutively.
func contains(lines, sub []string) bool {
	for i := 0; i+len(sub) <= len(lines); i++ {
		if slices.Equal(lines[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// Every Go snippet of README.md is code of readme_example_test.go, which
// compiles and runs: a snippet that drifts from the API fails here.
func TestREADMESnippets(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	code, err := os.ReadFile("readme_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	codeLines := normalize(strings.Split(string(code), "\n"))
	blocks := goBlocks(string(readme))
	if len(blocks) < 3 {
		t.Fatalf("README.md has %d Go snippets; expected the usage, dial and test ones at least", len(blocks))
	}
	for i, b := range blocks {
		snippet := normalize(b)
		if len(snippet) == 0 {
			t.Errorf("Go snippet %d is empty", i+1)
			continue
		}
		if !contains(codeLines, snippet) {
			t.Errorf("Go snippet %d of README.md is not in readme_example_test.go; copy it there (and run it):\n%s", i+1, strings.Join(b, "\n"))
		}
	}
}

// README.md shows the two commands, and make demo runs what it says.
func TestREADMECommands(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	makefile, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"make demo", "make test"} {
		if !strings.Contains(string(readme), "\n"+cmd) {
			t.Errorf("README.md does not show %q at the start of a line", cmd)
		}
	}
	recipe := regexp.MustCompile(`(?m)^demo:\n\t\$\(GO\) (run \./examples/echo .*)$`).FindStringSubmatch(string(makefile))
	if recipe == nil {
		t.Fatal("Makefile: no demo target running examples/echo")
	}
	if !strings.Contains(string(readme), "go "+recipe[1]) {
		t.Errorf("README.md does not say that make demo runs %q", "go "+recipe[1])
	}
}

func TestGoBlocks(t *testing.T) {
	md := "text\n```go\nfunc f() {\n\tx()\n}\n```\n```sh\nmake\n```\n```go\n\n  y()\n```\n"
	got := goBlocks(md)
	if len(got) != 2 || !slices.Equal(normalize(got[0]), []string{"func f() {", "x()", "}"}) || !slices.Equal(normalize(got[1]), []string{"y()"}) {
		t.Errorf("goBlocks: %q", got)
	}
	if !contains([]string{"a", "b", "c"}, []string{"b", "c"}) || contains([]string{"a", "b", "c"}, []string{"a", "c"}) {
		t.Error("contains")
	}
}

// README.md's ```golang blocks need modules this one does not depend on
// (OpenTelemetry), so they cannot be compiled here; they must at least
// be gofmt-clean Go declarations.
func TestREADMEOutsideSnippets(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := fenced(string(readme), "```golang")
	if len(blocks) == 0 {
		t.Fatal("no ```golang snippet: the OpenTelemetry one is gone")
	}
	for i, b := range blocks {
		src := "package p\n\n" + strings.Join(b, "\n") + "\n"
		formatted, err := format.Source([]byte(src))
		if err != nil {
			t.Errorf("```golang snippet %d does not parse: %v", i+1, err)
			continue
		}
		if string(formatted) != src {
			t.Errorf("```golang snippet %d is not gofmt-clean", i+1)
		}
	}
}
