package main

// This file is the same in every example program (examples/daemon_test.go
// checks it), so that each program can be copied out of the repository
// on its own: the flags that choose the daemon, connecting to it or to
// the bundled mock daemon, and reporting an error as one line with an
// exit status.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// Exit statuses.
const (
	exitOK      = 0 // the program did its job
	exitFailure = 1 // it ran and failed: no daemon, lost replies, ...
	exitUsage   = 2 // the command line was wrong
)

// daemonFlags are the flags that choose the daemon.
type daemonFlags struct {
	address     string        // -daemon, in the forms transport.Parse reads
	config      string        // -config: a thin-client configuration file naming the daemon
	uids        []int         // -daemon-uid: trusted besides ours and root
	mock        bool          // -mock: start the bundled mock daemon instead
	generation  int           // -mock-generation: 47 or 99
	mockOptions []mock.Option // the program's own mock knobs, set before connect
	fs          *flag.FlagSet // to tell a -daemon given from the default

	dialled string           // the daemon connect reached, for messages
	dialer  transport.Dialer // and its dialer, for more connections
}

// addDaemonFlags defines -daemon, -config, -daemon-uid, -mock and
// -mock-generation (default generation: 47 or 99) on fs.
func addDaemonFlags(fs *flag.FlagSet, generation int) *daemonFlags {
	f := &daemonFlags{fs: fs}
	fs.StringVar(&f.address, "daemon", transport.DefaultAddress,
		`the client daemon's `+"`address`"+`: "@name" (abstract Unix socket), "/path" or "unix:path", "tcp:host:port", "ws://host:port"`)
	fs.StringVar(&f.config, "config", "",
		"read the daemon's address from this thin-client configuration `file` (thinclient.toml) instead of -daemon")
	fs.Func("daemon-uid", "also trust a daemon running as this `uid` (repeatable; ours and root are always trusted)",
		func(s string) error {
			uid, err := strconv.Atoi(s)
			if err != nil || uid < 0 {
				return errors.New("want a user id, a number >= 0")
			}
			f.uids = append(f.uids, uid)
			return nil
		})
	fs.BoolVar(&f.mock, "mock", false, "start the bundled mock daemon in-process and use it instead of -daemon")
	fs.IntVar(&f.generation, "mock-generation", generation,
		"with -mock: the protocol the mock speaks, 47 (kpclientd v0.0.47) or 99 (v0.0.99)")
	return f
}

// connect dials the daemon the flags name and returns the client and the
// function that closes it. With -mock it first starts the bundled mock
// daemon on a fresh address, says so on stderr, and closes it too. opts
// go to client.Dial after the options the flags make.
func (f *daemonFlags) connect(ctx context.Context, stderr io.Writer, opts ...client.Option) (*client.Client, func(), error) {
	stopMock, err := f.choose(stderr)
	if err != nil {
		return nil, nil, err
	}
	opts = append([]client.Option{client.WithDialer(f.dialer), client.WithDaemonUIDs(f.uids...)}, opts...)
	c, err := client.Dial(ctx, opts...)
	if err != nil {
		stopMock()
		return nil, nil, explain(f.dialled, err)
	}
	return c, func() { c.Close(); stopMock() }, nil
}

// choose sets the daemon's dialer from -daemon, -config or -mock, and
// with -mock starts the mock; the function it returns stops the mock.
func (f *daemonFlags) choose(stderr io.Writer) (stopMock func(), err error) {
	daemonGiven := false
	f.fs.Visit(func(fl *flag.Flag) { daemonGiven = daemonGiven || fl.Name == "daemon" })
	switch {
	case f.config != "" && f.mock:
		return nil, usagef("-config and -mock exclude each other: the file names a daemon, -mock starts one")
	case f.config != "" && daemonGiven:
		return nil, usagef("-config and -daemon exclude each other: both name the daemon")
	case f.config != "":
		if f.dialer, err = transport.LoadConfig(f.config); err != nil {
			return nil, err
		}
		f.dialled = fmt.Sprint(f.dialer)
		return func() {}, nil
	case !f.mock:
		if f.dialer, err = transport.Parse(f.address); err != nil {
			return nil, usageError{err: fmt.Errorf("-daemon: %w", err)}
		}
		f.dialled = f.address
		return func() {}, nil
	}
	gen := wire.Generation47
	switch f.generation {
	case 47:
	case 99:
		gen = wire.Generation99
	default:
		return nil, usagef("-mock-generation %d: want 47 or 99", f.generation)
	}
	d, addr, err := mock.Listen("", append([]mock.Option{mock.WithGeneration(gen)}, f.mockOptions...)...)
	if err != nil {
		return nil, fmt.Errorf("starting the mock daemon: %w", err)
	}
	fmt.Fprintf(stderr, "using the bundled mock daemon at %s (kpclientd %s protocol)\n", addr, gen)
	f.dialer, f.dialled = d.Dialer(), addr
	return func() { d.Close() }, nil
}

// explain rewrites a Dial error as one line that says what to do;
// errors.Is still reaches the cause.
func explain(addr string, err error) error {
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
	return hintError{msg: msg, err: err}
}

// hintError is an error rewritten for a person: Error says what happened
// and what to do; Unwrap keeps the cause for errors.Is.
type hintError struct {
	msg string
	err error
}

func (e hintError) Error() string { return e.msg }
func (e hintError) Unwrap() error { return e.err }

// usageError is a mistake in the command line.
type usageError struct {
	err     error
	printed bool // the flag package has reported it already
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usageError for a flag value the program cannot use.
func usagef(format string, args ...any) error {
	return usageError{err: fmt.Errorf(format, args...)}
}

// setUsage makes -help print a synopsis ("echo [flags]"), a description
// of the program and its flags.
func setUsage(fs *flag.FlagSet, synopsis, description string) {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\n%s\n\nFlags:\n", synopsis, strings.TrimSpace(description))
		fs.PrintDefaults()
	}
}

// parseFlags parses args with fs (made with flag.ContinueOnError) and
// refuses positional arguments. Hand its error to fail.
func parseFlags(fs *flag.FlagSet, args []string) error {
	switch err := fs.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		return err
	case err != nil:
		return usageError{err: err, printed: true}
	case fs.NArg() > 0:
		return usagef("unexpected arguments %q: everything is a flag", fs.Args())
	}
	return nil
}

// fail reports err on stderr as one line, "name: what went wrong", and
// returns the exit status for it; after -help it prints nothing and
// returns exitOK.
func fail(stderr io.Writer, name string, err error) int {
	if ue, ok := errors.AsType[usageError](err); ok {
		if !ue.printed {
			fmt.Fprintf(stderr, "%s: %s (see %s -help)\n", name, oneLine(err), name)
		}
		return exitUsage
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(stderr, "%s: %s\n", name, oneLine(err))
	return exitFailure
}

// oneLine folds a multi-line error message into one line.
func oneLine(err error) string {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "; ")
}
