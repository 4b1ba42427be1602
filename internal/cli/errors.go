package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// UsageError is a mistake in the command line. Fail reports it and
// returns ExitUsage.
type UsageError struct {
	Err     error
	printed bool // the flag package has already reported it
}

// Usagef returns a *UsageError with a formatted message, for a flag value
// the program cannot use, e.g. Usagef("-count %d: want 0 or more", n).
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// Error returns the mistake's description.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the mistake.
func (e *UsageError) Unwrap() error { return e.Err }

// hintError is an error rewritten for a person: Error says what happened
// and what to do about it; Unwrap keeps the cause for errors.Is.
type hintError struct {
	msg string
	err error
}

func (e *hintError) Error() string { return e.msg }
func (e *hintError) Unwrap() error { return e.err }

// Fail reports err on stderr as one line, "name: what went wrong", and
// returns the exit status for it: ExitOK for flag.ErrHelp (the usage was
// printed, as asked), ExitUsage for a *UsageError, ExitFailure otherwise.
// A nil err returns ExitOK and prints nothing.
func Fail(stderr io.Writer, name string, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if ue, ok := errors.AsType[*UsageError](err); ok {
		if !ue.printed {
			fmt.Fprintf(stderr, "%s: %s (see %s -help)\n", name, oneLine(err.Error()), name)
		}
		return ExitUsage
	}
	fmt.Fprintf(stderr, "%s: %s\n", name, oneLine(err.Error()))
	return ExitFailure
}

// oneLine folds a multi-line message into one line.
func oneLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "; ")
}
