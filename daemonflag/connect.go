package daemonflag

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// Connect dials the daemon the flags name and returns a ready client and
// the cleanup that closes it (calling it again does nothing). With -mock
// it first starts the bundled mock daemon in-process on a fresh private
// address, says so on stderr, and the cleanup closes the mock too. The
// client's warnings (such as a daemon address that other machines can
// reach) go to stderr as well. opts go to client.Dial after the options
// the flags make, so a WithLogger there replaces that.
//
// The error is meant for a person, to be printed with Fail: a mistake in
// the flags is a *UsageError; when nothing listens at the address it says
// how to start a daemon or to use -mock (see Explain). errors.Is still
// reaches the cause (transport.ErrDaemonNotRunning,
// client.ErrUntrustedDaemon, ...).
func (f *Flags) Connect(ctx context.Context, stderr io.Writer, opts ...client.Option) (*client.Client, func(), error) {
	stopMock, err := f.choose(stderr)
	if err != nil {
		return nil, nil, err
	}
	// The client's warnings (a daemon address other machines can reach)
	// go to stderr; its other logs stay quiet. An opts logger wins.
	f.warn = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := f.Dial(ctx, opts...)
	if err != nil {
		stopMock()
		return nil, nil, Explain(f.addr, err)
	}
	return c, sync.OnceFunc(func() { c.Close(); stopMock() }), nil
}

// Dial opens another connection to the daemon Connect reached (the mock
// included), with the options the flags make and then opts: a program
// that plays two parties, say. Its error is client.Dial's, unexplained.
// Call it only after Connect succeeded, and before its cleanup.
func (f *Flags) Dial(ctx context.Context, opts ...client.Option) (*client.Client, error) {
	if f.dialer == nil {
		return nil, errors.New("daemonflag: Dial before Connect")
	}
	all := []client.Option{client.WithDialer(f.dialer), client.WithDaemonUIDs(f.DaemonUIDs...)}
	if f.warn != nil {
		all = append(all, client.WithLogger(f.warn))
	}
	return client.Dial(ctx, append(all, opts...)...)
}

// Check reports a mistake in the flags without connecting: -config with
// -daemon or -mock, an address or a configuration file that cannot be
// used, a -mock-generation other than 47 or 99. Its error is a
// *UsageError, for Fail. Connect checks too; a program calls Check to
// report every mistake in its command line before it starts any work.
func (f *Flags) Check() error {
	daemonGiven := false
	if f.fs != nil {
		f.fs.Visit(func(fl *flag.Flag) { daemonGiven = daemonGiven || fl.Name == "daemon" })
	}
	switch {
	case f.Config != "" && f.Mock:
		return Usagef("-config and -mock exclude each other: the file names a daemon, -mock starts one")
	case f.Config != "" && daemonGiven:
		return Usagef("-config and -daemon exclude each other: both name the daemon")
	case f.Config != "":
		d, err := transport.LoadConfig(f.Config)
		if err != nil {
			return &UsageError{Err: fmt.Errorf("-config: %w", err)}
		}
		f.dialer, f.addr = d, fmt.Sprint(d) // a dialer prints as the address Parse reads
	case !f.Mock:
		d, err := transport.Parse(f.Daemon)
		if err != nil {
			return &UsageError{Err: fmt.Errorf("-daemon: %w", err)}
		}
		f.dialer, f.addr = d, f.Daemon
	default:
		_, err := f.generation()
		return err
	}
	return nil
}

// generation maps -mock-generation to its wire.Generation.
func (f *Flags) generation() (wire.Generation, error) {
	switch f.MockGeneration {
	case 47:
		return wire.Generation47, nil
	case 99:
		return wire.Generation99, nil
	}
	return wire.GenerationUnknown, Usagef("-mock-generation %d: want 47 or 99", f.MockGeneration)
}

// choose checks the flags, which sets the daemon's dialer and address,
// and with -mock starts the mock daemon; the function it returns stops
// the mock.
func (f *Flags) choose(stderr io.Writer) (stopMock func(), err error) {
	if err := f.Check(); err != nil || !f.Mock {
		return func() {}, err
	}
	gen, _ := f.generation() // Check has vetted it
	d, addr, err := mock.Listen("", append([]mock.Option{mock.WithGeneration(gen)}, f.MockOptions...)...)
	if err != nil {
		return nil, fmt.Errorf("starting the mock daemon: %w", err)
	}
	fmt.Fprintf(stderr, "using the bundled mock daemon at %s (kpclientd %s protocol)\n", addr, gen)
	f.dialer, f.addr = d.Dialer(), addr
	return func() { d.Close() }, nil
}
