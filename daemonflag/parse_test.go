package daemonflag_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/daemonflag"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		out  string // on stderr, from Fail
	}{
		{[]string{"-help"}, daemonflag.ExitOK, ""},
		{[]string{"-nonsense"}, daemonflag.ExitUsage, ""}, // the flag package reports it
		{[]string{"-daemon-uid", "me"}, daemonflag.ExitUsage, ""},
		{[]string{"-daemon-uid", "-1"}, daemonflag.ExitUsage, ""},
		{[]string{"extra"}, daemonflag.ExitUsage, `prog: unexpected arguments ["extra"]: everything is a flag (see prog -help)` + "\n"},
	} {
		_, err := parse(t, tc.args...)
		if err == nil {
			t.Errorf("%q: no error", tc.args)
			continue
		}
		var stderr bytes.Buffer
		if code := daemonflag.Fail(&stderr, "prog", err); code != tc.code || stderr.String() != tc.out {
			t.Errorf("%q: exit %d, stderr %q; want %d, %q", tc.args, code, stderr.String(), tc.code, tc.out)
		}
	}
}

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		pos     []string
		verbose bool
		err     string
	}{
		{args: []string{"-v", "a"}, pos: []string{"a"}, verbose: true},
		{args: []string{"a", "-v"}, pos: []string{"a"}, verbose: true},
		{args: []string{"a"}, pos: []string{"a"}},
		{args: []string{"--", "-v"}, pos: []string{"-v"}},
		{args: []string{"-v"}, err: "missing FILE"},
		{args: []string{"a", "b"}, err: `unexpected arguments ["b"] after FILE`},
		{args: []string{"a", "-nope"}, err: "flag provided but not defined"},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		v := fs.Bool("v", false, "")
		pos, err := daemonflag.ParseArgs(fs, tc.args, "FILE")
		if tc.err != "" {
			var ue *daemonflag.UsageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: got %v, want a usage error saying %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(pos, tc.pos) || *v != tc.verbose {
			t.Errorf("%q: got %q, -v %v, %v; want %q, -v %v", tc.args, pos, *v, err, tc.pos, tc.verbose)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if _, err := daemonflag.ParseArgs(fs, []string{"-h"}, "FILE"); err != flag.ErrHelp {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
}

func TestUsage(t *testing.T) {
	fs := flag.NewFlagSet("prog", flag.ContinueOnError)
	var out bytes.Buffer
	fs.SetOutput(&out)
	daemonflag.Add(fs, 99)
	daemonflag.Usage(fs, "prog [flags]", "\nDoes things.\n")
	if err := daemonflag.Parse(fs, []string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatal(err)
	}
	for _, want := range []string{"Usage: prog [flags]\n\nDoes things.\n\nFlags:\n", "-daemon address", "-mock\n",
		"-mock-generation int", "(default 99)", "-daemon-uid uid", "-config file"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, out.String())
		}
	}
}
