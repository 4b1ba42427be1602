// Package cli is what the module's command-line tools can share: the
// -daemon and -mock flags, Connect (which starts the bundled mock daemon when asked),
// the exit statuses and one-line error reports, and Interrupts, the
// two-stage Ctrl-C that lets a program finish the work it has in flight.
//
// A program's main reads:
//
//	func main() {
//		ctx, stop := cli.Interrupts(context.Background())
//		code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
//		stop()
//		os.Exit(code)
//	}
//
// and its run:
//
//	fs := flag.NewFlagSet("pkidoc", flag.ContinueOnError)
//	daemon := cli.Register(fs)
//	if err := cli.Parse(fs, args); err != nil {
//		return cli.Fail(stderr, "pkidoc", err)
//	}
//	c, cleanup, err := cli.Connect(ctx, daemon, stderr)
//	if err != nil {
//		return cli.Fail(stderr, "pkidoc", err)
//	}
//	defer cleanup()
//
// The programs under examples/ do not use it: they must not import
// internal packages, so that each can be copied out of the repository,
// and carry a small daemon.go of their own instead.
//
// Nothing here is safe for concurrent use unless its comment says so: a
// program sets up its flags and connects from one goroutine.
package cli
