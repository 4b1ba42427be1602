// Command katzenthin-cp copies a file through Pigeonhole, the storage of
// a Katzenpost mix network, by way of the client daemon (kpclientd
// v0.0.99). It speaks the wire format of the Rust tool pigeonhole-cp, so
// a file sent with one is received with the other.
//
//	katzenthin-cp genkey                                    # a new stream: write cap, read cap, first index
//	katzenthin-cp send -write-cap CAP -index IDX FILE       # the sender keeps the write cap
//	katzenthin-cp receive -read-cap CAP -index IDX DIR      # the receiver gets the read cap and the index
//
// send writes the file through a courier copy command (at most 9 MiB),
// or with -no-copy box by box, pipelined, with no size limit. receive
// waits for the file, however long the sender takes, and writes it into
// DIR under the name the sender gave, which it checks first: never a
// path, never over an existing file, never through a symlink.
//
// An interrupted send or receive goes on where it stopped when run again
// with the same arguments: its state is kept in a file in the user's
// cache directory (or -state FILE).
//
// Every verb finds the daemon with -daemon ADDRESS (default @katzenpost)
// or -config FILE, the thin-client configuration (thinclient.toml); -mock
// starts the bundled mock daemon in-process, to try a verb out.
//
// The exit status is 0 when the file was sent or received whole, 1 when
// it was not, 2 for a bad command line.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/katzenthin/katzenthin/daemonflag"
)

func main() {
	ctx, stop := daemonflag.Interrupts(context.Background())
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `Usage:
  katzenthin-cp genkey [flags]
  katzenthin-cp send -write-cap CAP -index IDX [flags] FILE
  katzenthin-cp receive -read-cap CAP -index IDX [flags] DIR

Copies a file through Pigeonhole, the storage of a Katzenpost mix network,
by way of the client daemon kpclientd v0.0.99; the wire format is the Rust
pigeonhole-cp tool's. genkey makes a stream; the sender keeps its write
cap, the receiver gets its read cap and index. "katzenthin-cp VERB -help"
lists a verb's flags.
`

// run is the whole program; main only adds the process around it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return daemonflag.ExitUsage
	}
	switch args[0] {
	case "genkey":
		return daemonflag.Fail(stderr, "katzenthin-cp genkey", genkey(ctx, args[1:], stdout, stderr))
	case "send":
		return daemonflag.Fail(stderr, "katzenthin-cp send", send(ctx, args[1:], stdout, stderr))
	case "receive":
		return daemonflag.Fail(stderr, "katzenthin-cp receive", receive(ctx, args[1:], stdout, stderr))
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return daemonflag.ExitOK
	}
	fmt.Fprintf(stderr, "katzenthin-cp: unknown verb %q\n\n%s", args[0], usage)
	return daemonflag.ExitUsage
}
