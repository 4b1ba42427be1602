package cli

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// Exit statuses of a command.
const (
	// ExitOK: the program did its job.
	ExitOK = 0
	// ExitFailure: the program ran and failed (no daemon, lost replies).
	ExitFailure = 1
	// ExitUsage: the command line was wrong.
	ExitUsage = 2
)

// Flags holds the flags that choose the daemon, set up by Register.
type Flags struct {
	// Daemon is the daemon's address, in the forms transport.Parse reads
	// (-daemon, default transport.DefaultAddress).
	Daemon string
	// Mock starts the bundled mock daemon in-process and uses it instead
	// of Daemon (-mock).
	Mock bool
	// MockGeneration is the protocol the mock speaks: 47 (kpclientd
	// v0.0.47) or 99 (v0.0.99) (-mock-generation, default the mock's own
	// default, mock.DefaultGeneration).
	MockGeneration int
	// MockOptions configure the mock further. A program adds its own
	// knobs here before Connect (a program's -mock-loss, for one).
	MockOptions []mock.Option
	// DaemonUIDs are the uids a Unix-socket daemon may run as besides
	// ours and root (-daemon-uid, repeatable); see client.WithDaemonUIDs.
	DaemonUIDs []int

	addr string // the address Connect dialled
}

// Address returns the address of the daemon Connect dialled: Daemon, or
// with Mock the mock's private address. It is "" before Connect.
func (f *Flags) Address() string { return f.addr }

// Register defines -daemon, -daemon-uid, -mock and -mock-generation on fs
// and returns the Flags they fill in when fs is parsed.
func Register(fs *flag.FlagSet) *Flags {
	f := &Flags{}
	fs.StringVar(&f.Daemon, "daemon", transport.DefaultAddress,
		`the client daemon's `+"`address`"+`: "@name" (abstract Unix socket), "/path" or "unix:path", "tcp:host:port"`)
	fs.Func("daemon-uid", "also trust a daemon running as this `uid` (repeatable; ours and root are always trusted)",
		func(s string) error {
			uid, err := strconv.Atoi(s)
			if err != nil || uid < 0 {
				return fmt.Errorf("want a user id, a number >= 0")
			}
			f.DaemonUIDs = append(f.DaemonUIDs, uid)
			return nil
		})
	fs.BoolVar(&f.Mock, "mock", false, "start the bundled mock daemon in-process and use it instead of -daemon")
	fs.IntVar(&f.MockGeneration, "mock-generation", generationNumber(mock.DefaultGeneration),
		"with -mock: the protocol the mock speaks, 47 (kpclientd v0.0.47) or 99 (v0.0.99)")
	return f
}

// generation maps the -mock-generation number to its wire.Generation.
func (f *Flags) generation() (wire.Generation, error) {
	switch f.MockGeneration {
	case 47:
		return wire.Generation47, nil
	case 99:
		return wire.Generation99, nil
	}
	return wire.GenerationUnknown, Usagef("-mock-generation %d: want 47 or 99", f.MockGeneration)
}

// generationNumber is the inverse of Flags.generation.
func generationNumber(g wire.Generation) int {
	if g == wire.Generation99 {
		return 99
	}
	return 47
}

// Usage sets fs's usage message: a synopsis line such as "echo [flags]",
// a description of what the program does, then the flags.
func Usage(fs *flag.FlagSet, synopsis, description string) {
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: %s\n\n%s\n\nFlags:\n", synopsis, strings.TrimSpace(description))
		fs.PrintDefaults()
	}
}

// Parse parses args with fs, which must have been made with
// flag.ContinueOnError, and refuses positional arguments. Its error is
// flag.ErrHelp after -help (the usage has been printed) or a *UsageError;
// hand either to Fail.
func Parse(fs *flag.FlagSet, args []string) error {
	switch err := fs.Parse(args); {
	case err == flag.ErrHelp:
		return err
	case err != nil:
		return &UsageError{Err: err, printed: true} // the flag package said why, and printed the usage
	}
	if fs.NArg() > 0 {
		return Usagef("unexpected arguments %q: everything is a flag", fs.Args())
	}
	return nil
}
