package daemonflag_test

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/katzenthin/katzenthin/daemonflag"
)

// A command that connects to the daemon its flags name; here, with
// -mock, to the bundled mock daemon.
func Example() {
	fs := flag.NewFlagSet("hello", flag.ContinueOnError)
	daemonflag.Usage(fs, "hello [flags]", "Says which daemon it reached.")
	daemon := daemonflag.Add(fs, 99)
	if err := daemonflag.Parse(fs, []string{"-mock"}); err != nil {
		os.Exit(daemonflag.Fail(os.Stderr, "hello", err))
	}
	// The mock's address is random: its line goes to stderr, not to the
	// output checked here.
	c, cleanup, err := daemon.Connect(context.Background(), os.Stderr)
	if err != nil {
		os.Exit(daemonflag.Fail(os.Stderr, "hello", err))
	}
	defer cleanup()
	fmt.Println("connected to kpclientd", c.Daemon().Generation)
	// Output: connected to kpclientd v0.0.99
}
