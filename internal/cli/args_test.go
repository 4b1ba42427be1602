package cli_test

import (
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/internal/cli"
)

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
		pos, err := cli.ParseArgs(fs, tc.args, "FILE")
		if tc.err != "" {
			var ue *cli.UsageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: got %v, want a usage error saying %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(pos, tc.pos) || *v != tc.verbose {
			t.Errorf("%q: got %q, -v %v, %v; want %q, -v %v", tc.args, pos, *v, err, tc.pos, tc.verbose)
		}
	}
}
