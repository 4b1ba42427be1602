package daemonflag

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/transport"
)

// Exit statuses of a command, as Fail returns them.
const (
	// ExitOK: the program did its job (or printed its usage, as asked).
	ExitOK = 0
	// ExitFailure: the program ran and failed (no daemon, lost replies).
	ExitFailure = 1
	// ExitUsage: the command line was wrong.
	ExitUsage = 2
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

// Explain rewrites an error from dialling the daemon at addr as one line
// that says what to do about it: start a daemon (or a stand-in, or pass
// -mock) when nothing listens there, pass -daemon-uid when the daemon
// runs as another user, wait when it has no PKI document yet. errors.Is
// and errors.As still reach err. Connect explains its own errors; Explain
// is for a program that dials by other means.
func Explain(addr string, err error) error {
	var msg string
	switch pe, isPeer := errors.AsType[*client.PeerError](err); {
	case errors.Is(err, transport.ErrDaemonNotRunning):
		msg = fmt.Sprintf("no daemon is listening at %s: start kpclientd there (its client.toml sets the address), "+
			"or a stand-in with \"go run ./cmd/mockd -listen %s\" in the katzenthin repository, "+
			"or pass -mock to use the bundled mock daemon", addr, addr)
	case isPeer && pe.Err == nil:
		msg = fmt.Sprintf("the daemon at %s runs as uid %d (pid %d), neither our user nor root; "+
			"if you trust it, pass -daemon-uid %d", addr, pe.UID, pe.PID, pe.UID)
	case errors.Is(err, client.ErrHandshakeTimeout):
		msg = fmt.Sprintf("the daemon at %s accepted the connection but did not finish the handshake; "+
			"a kpclientd that has no PKI document yet does this: wait until it has fetched one (%v)", addr, err)
	case errors.Is(err, context.Canceled):
		msg = fmt.Sprintf("interrupted while connecting to the daemon at %s", addr)
	default:
		msg = fmt.Sprintf("cannot use the daemon at %s: %v", addr, err)
	}
	return &hintError{msg: msg, err: err}
}

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
// printed, as asked), ExitUsage for a *UsageError (which ends "(see name
// -help)", unless the flag package has reported it already), ExitFailure
// otherwise. A nil err returns ExitOK and prints nothing.
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
