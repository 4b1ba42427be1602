package daemonflag

import (
	"errors"
	"flag"
	"log/slog"
	"strconv"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/transport"
)

// Flags holds the flags that choose the daemon, defined by Add and filled
// in when the flag set is parsed.
type Flags struct {
	// Daemon is the daemon's address, in the forms transport.Parse reads
	// (-daemon, default transport.DefaultAddress).
	Daemon string
	// Config is a thin-client configuration file (thinclient.toml) that
	// names the daemon instead of Daemon (-config).
	Config string
	// DaemonUIDs are the uids a Unix-socket daemon may run as besides
	// ours and root (-daemon-uid, repeatable); see client.WithDaemonUIDs.
	DaemonUIDs []int
	// Mock starts the bundled mock daemon in-process and uses it instead
	// of Daemon (-mock).
	Mock bool
	// MockGeneration is the protocol the mock speaks: 47 (kpclientd
	// v0.0.47) or 99 (v0.0.99) (-mock-generation).
	MockGeneration int
	// MockOptions configure the mock further. A program adds its own
	// knobs here before Connect (a -mock-loss flag of its own, say).
	MockOptions []mock.Option

	fs     *flag.FlagSet    // to tell a -daemon given from the default
	addr   string           // the daemon Connect reached, for messages
	dialer transport.Dialer // and its dialer, for more connections
	warn   *slog.Logger     // the client's warnings, to Connect's stderr
}

// Add defines -daemon, -config, -daemon-uid, -mock and -mock-generation
// on fs and returns the Flags they fill in when fs is parsed. generation
// is -mock-generation's default, 47 or 99: a program that needs
// Pigeonhole passes 99.
func Add(fs *flag.FlagSet, generation int) *Flags {
	f := &Flags{fs: fs}
	fs.StringVar(&f.Daemon, "daemon", transport.DefaultAddress,
		`the client daemon's `+"`address`"+`: "@name" (abstract Unix socket), "/path" or "unix:path", "tcp:host:port", "ws://host:port"`)
	fs.StringVar(&f.Config, "config", "",
		"read the daemon's address from this thin-client configuration `file` (thinclient.toml) instead of -daemon")
	fs.Func("daemon-uid", "also trust a daemon running as this `uid` (repeatable; ours and root are always trusted)",
		func(s string) error {
			uid, err := strconv.Atoi(s)
			if err != nil || uid < 0 {
				return errors.New("want a user id, a number >= 0")
			}
			f.DaemonUIDs = append(f.DaemonUIDs, uid)
			return nil
		})
	fs.BoolVar(&f.Mock, "mock", false, "start the bundled mock daemon in-process and use it instead of -daemon")
	fs.IntVar(&f.MockGeneration, "mock-generation", generation,
		"with -mock: the protocol the mock speaks, 47 (kpclientd v0.0.47) or 99 (v0.0.99)")
	return f
}

// Address returns the address of the daemon Connect reached: -daemon's,
// the one -config's file names, or with -mock the mock's private
// address. It is "" before Connect.
func (f *Flags) Address() string { return f.addr }
