package cli

import (
	"flag"
	"strings"
)

// ParseArgs is Parse for a program that takes positional arguments: it
// parses args with fs (made with flag.ContinueOnError) and returns the
// positional arguments, which must be exactly as many as names (the
// names, such as "FILE", say in the error which one is missing). Flags
// may come before, between and after them; "--" ends the flags. Its error
// is flag.ErrHelp or a *UsageError, as Parse's.
func ParseArgs(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	var pos []string
	for {
		switch err := fs.Parse(args); {
		case err == flag.ErrHelp:
			return nil, err
		case err != nil:
			return nil, &UsageError{Err: err, printed: true}
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
