package daemonflag

import (
	"flag"
	"fmt"
	"strings"
)

// Usage makes -help on fs print a synopsis line such as "echo [flags]", a
// description of what the program does, then the flags.
func Usage(fs *flag.FlagSet, synopsis, description string) {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\n%s\n\nFlags:\n", synopsis, strings.TrimSpace(description))
		fs.PrintDefaults()
	}
}

// Parse parses args with fs, which must have been made with
// flag.ContinueOnError, and refuses positional arguments. Its error is
// flag.ErrHelp after -help (the usage has been printed) or a *UsageError;
// hand either to Fail.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return Usagef("unexpected arguments %q: everything is a flag", fs.Args())
	}
	return nil
}

// ParseArgs is Parse for a program that takes positional arguments: it
// parses args with fs and returns the positional arguments, which must be
// exactly as many as names (the names, such as "FILE", say in the error
// which one is missing). Flags may come before, between and after them;
// "--" ends the flags. Its error is flag.ErrHelp or a *UsageError, as
// Parse's.
func ParseArgs(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	var pos []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		// fs.Parse stops at the first positional argument, or after a
		// "--" that it consumes: everything after "--" is positional.
		if len(args)-len(rest) > 0 && args[len(args)-len(rest)-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	switch {
	case len(pos) < len(names):
		return nil, Usagef("missing %s", strings.Join(names[len(pos):], " "))
	case len(pos) > len(names):
		return nil, Usagef("unexpected arguments %q after %s", pos[len(names):], strings.Join(names, " "))
	}
	return pos, nil
}

// parse is fs.Parse with its error as Parse returns it.
func parse(fs *flag.FlagSet, args []string) error {
	switch err := fs.Parse(args); {
	case err == flag.ErrHelp:
		return err
	case err != nil:
		return &UsageError{Err: err, printed: true} // the flag package said why, and printed the usage
	}
	return nil
}
