// Package daemonflag is the command-line flags that choose a kpclientd,
// or the bundled mock daemon, and the helpers that connect to it and
// explain what went wrong: the part the module's example programs and
// commands share. A command of your own can use it too.
//
// Add defines -daemon, -config, -daemon-uid, -mock and -mock-generation;
// Connect dials the daemon they name, or starts the mock in-process, and
// rewrites a failure as one line that says what to do; Fail prints an
// error as one line and returns the exit status for it; Interrupts is the
// two-stage Ctrl-C that lets a program finish the work it has in flight.
//
// A program's main reads:
//
//	func main() {
//		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
//		code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
//		stop()
//		os.Exit(code)
//	}
//
// and its run:
//
//	fs := flag.NewFlagSet("pkidoc", flag.ContinueOnError)
//	fs.SetOutput(stderr)
//	daemonflag.Usage(fs, "pkidoc [flags]", "Prints the network's PKI document.")
//	daemon := daemonflag.Add(fs, 47)
//	if err := daemonflag.Parse(fs, args); err != nil {
//		return daemonflag.Fail(stderr, "pkidoc", err)
//	}
//	c, cleanup, err := daemon.Connect(ctx, stderr)
//	if err != nil {
//		return daemonflag.Fail(stderr, "pkidoc", err)
//	}
//	defer cleanup()
//
// Nothing here is safe for concurrent use unless its comment says so: a
// program sets up its flags and connects from one goroutine.
package daemonflag
