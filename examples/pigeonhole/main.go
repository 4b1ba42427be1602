// Command pigeonhole stores messages in Pigeonhole, the storage of a
// Katzenpost mix network, through the client daemon (kpclientd v0.0.99):
// Alice writes a few messages and a file larger than one box into a
// stream, and Bob, who holds only the stream's read capability, reads
// them back. Every step prints how long it took: on a real network an
// encryption takes seconds, a write a few seconds, a read ten or more,
// and the copy command for a large file minutes.
//
//	go run ./examples/pigeonhole -mock                          # the bundled mock daemon
//	go run ./examples/pigeonhole -mock -mock-local 1s -mock-mixnet 2s  # a mock as slow as a real network
//	go run ./examples/pigeonhole -size 20000                    # kpclientd at @katzenpost
//	go run ./examples/pigeonhole -config thinclient.toml        # the daemon that file names
//
// Alice and Bob each have their own connection to the same daemon here;
// in real life they run on different machines, each with its daemon, and
// Bob gets the read capability out of band. Nothing secret is printed:
// capabilities and plaintexts stay in memory.
//
// The exit status is 0 when Bob read back exactly what Alice wrote, 1
// when a step failed or the daemon could not be used, 2 for a bad
// command line.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/daemonflag"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/wire"
)

func main() {
	// The first Ctrl-C cancels ctx; after it, the signal's default
	// effect is back, so a second one kills the program.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const description = `Alice writes a few messages and a file larger than one box into a
Pigeonhole stream; Bob, holding only its read capability, reads them back.
Each step prints how long it took. Needs kpclientd v0.0.99 (with -mock,
the bundled mock speaks it). Exit status: 0 if Bob read exactly what Alice
wrote, 1 if a step failed, 2 for a bad command line.`

// options are the program's own flags.
type options struct {
	messages   int
	size       int
	file       string
	timeout    time.Duration
	mockLocal  time.Duration
	mockMixnet time.Duration
}

// run is the whole program; main only adds the process around it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pigeonhole", flag.ContinueOnError)
	fs.SetOutput(stderr)
	daemonflag.Usage(fs, "pigeonhole [flags]", description)
	daemon := daemonflag.Add(fs, 99) // Pigeonhole needs today's daemon: the mock speaks v0.0.99
	var o options
	fs.IntVar(&o.messages, "messages", 3, "how many short messages Alice writes")
	fs.IntVar(&o.size, "size", 5000, "`bytes` of the random file Alice writes through a copy command (0: none)")
	fs.StringVar(&o.file, "file", "", "write this `file` instead of random bytes")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long each step may take")
	fs.DurationVar(&o.mockLocal, "mock-local", 0, "with -mock: the time each encryption takes (a real daemon: 2-4 s)")
	fs.DurationVar(&o.mockMixnet, "mock-mixnet", 0, "with -mock: the time each courier round trip takes (a real network: 2-5 s)")
	if err := daemonflag.Parse(fs, args); err != nil {
		return daemonflag.Fail(stderr, "pigeonhole", err)
	}
	switch {
	case o.messages < 0:
		return daemonflag.Fail(stderr, "pigeonhole", daemonflag.Usagef("-messages %d: want 0 or more", o.messages))
	case o.size < 0 || o.size > pigeonhole.MaxLargePayload:
		return daemonflag.Fail(stderr, "pigeonhole", daemonflag.Usagef("-size %d: want 0 to %d", o.size, pigeonhole.MaxLargePayload))
	case o.timeout <= 0:
		return daemonflag.Fail(stderr, "pigeonhole", daemonflag.Usagef("-timeout %v: want more than 0", o.timeout))
	case (o.mockLocal != 0 || o.mockMixnet != 0) && !daemon.Mock:
		return daemonflag.Fail(stderr, "pigeonhole", daemonflag.Usagef("-mock-local and -mock-mixnet need -mock"))
	}
	large, err := payload(o)
	if err != nil {
		return daemonflag.Fail(stderr, "pigeonhole", err)
	}
	daemon.MockOptions = append(daemon.MockOptions, mock.WithPigeonholeLatency(o.mockLocal, o.mockMixnet))

	c, cleanup, err := daemon.Connect(ctx, stderr)
	if err != nil {
		return daemonflag.Fail(stderr, "pigeonhole", err)
	}
	defer cleanup()
	if g := c.Daemon().Generation; g != wire.Generation99 {
		return daemonflag.Fail(stderr, "pigeonhole", fmt.Errorf("kpclientd %s has no Pigeonhole: it needs v0.0.99: %w", g, client.ErrUnsupported))
	}
	if !c.Connected() {
		fmt.Fprintln(stderr, "pigeonhole: the daemon says it has no connection to the mixnet: writes and reads wait until it has one")
	}
	bobClient, err := daemon.Dial(ctx) // a second connection, Bob's
	if err != nil {
		return daemonflag.Fail(stderr, "pigeonhole", err)
	}
	defer bobClient.Close()
	d := &demo{alice: pigeonhole.New(c), bob: pigeonhole.New(bobClient), o: o, out: stdout, start: time.Now()}
	if err := d.run(ctx, large); err != nil {
		return daemonflag.Fail(stderr, "pigeonhole", err)
	}
	return daemonflag.ExitOK
}

// payload is the large file: -file's content or -size random bytes.
func payload(o options) ([]byte, error) {
	if o.file != "" {
		b, err := os.ReadFile(o.file)
		if err != nil {
			return nil, err
		}
		if len(b) > pigeonhole.MaxLargePayload {
			return nil, daemonflag.Usagef("-file %s: %d bytes, at most %d", o.file, len(b), pigeonhole.MaxLargePayload)
		}
		return b, nil
	}
	b := make([]byte, o.size)
	rand.Read(b)
	return b, nil
}

// demo runs Alice's and Bob's steps and prints them.
type demo struct {
	alice *pigeonhole.Client
	bob   *pigeonhole.Client
	o     options
	out   io.Writer
	start time.Time
	t0    time.Time // the current step's start
}

// step runs f within the step timeout and prints its duration.
func (d *demo) step(ctx context.Context, who, what string, f func(ctx context.Context) (string, error)) error {
	ctx, cancel := context.WithTimeout(ctx, d.o.timeout)
	defer cancel()
	fmt.Fprintf(d.out, "%s: %s ...\n", who, what)
	d.t0 = time.Now()
	detail, err := f(ctx)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%s: %s: no answer within -timeout %v", who, what, d.o.timeout)
		}
		return fmt.Errorf("%s: %s: %w", who, what, err)
	}
	if detail != "" {
		detail = ": " + detail
	}
	fmt.Fprintf(d.out, "%s: %s done in %s%s\n", who, what, round(time.Since(d.t0)), detail)
	return nil
}

func (d *demo) run(ctx context.Context, large []byte) error {
	var (
		w pigeonhole.WriteCap
		r pigeonhole.ReadCap
	)
	if err := d.step(ctx, "alice", "create a stream", func(ctx context.Context) (string, error) {
		seed := make([]byte, pigeonhole.SeedSize)
		rand.Read(seed)
		var err error
		w, r, _, err = d.alice.NewKeypair(ctx, seed)
		return "", err
	}); err != nil {
		return err
	}
	alice := d.alice.NewWriter(w)
	alice.OnProgress(d.progress("alice"))
	messages := make([][]byte, d.o.messages)
	for i := range messages {
		messages[i] = fmt.Appendf(nil, "message %d from Alice", i+1)
		if err := d.step(ctx, "alice", fmt.Sprintf("write message %d", i+1), func(ctx context.Context) (string, error) {
			return fmt.Sprintf("%d bytes", len(messages[i])), alice.Write(ctx, messages[i])
		}); err != nil {
			return err
		}
	}
	if len(large) > 0 {
		if err := d.step(ctx, "alice", fmt.Sprintf("write a %d-byte file through a copy command", len(large)), func(ctx context.Context) (string, error) {
			return "", alice.WriteLarge(ctx, large)
		}); err != nil {
			return err
		}
	}

	bob := d.bob.NewReader(r) // Bob got r out of band
	bob.OnProgress(d.progress("bob"))
	for i, want := range messages {
		if err := d.step(ctx, "bob", fmt.Sprintf("read message %d", i+1), func(ctx context.Context) (string, error) {
			got, err := bob.Read(ctx)
			if err != nil {
				return "", err
			}
			if !bytes.Equal(got, want) {
				return "", fmt.Errorf("read %d bytes that differ from what Alice wrote", len(got))
			}
			return fmt.Sprintf("%d bytes, as written", len(got)), nil
		}); err != nil {
			return err
		}
	}
	if len(large) > 0 {
		if err := d.step(ctx, "bob", "read the file", func(ctx context.Context) (string, error) {
			got, err := bob.ReadLarge(ctx)
			if err != nil {
				return "", err
			}
			if !bytes.Equal(got, large) {
				return "", fmt.Errorf("read %d bytes that differ from the %d Alice wrote", len(got), len(large))
			}
			return fmt.Sprintf("%d bytes, identical", len(got)), nil
		}); err != nil {
			return err
		}
	}
	fmt.Fprintf(d.out, "all done in %s: Bob read back everything Alice wrote\n", round(time.Since(d.start)))
	return nil
}

// progress prints the steps of a large write or read.
func (d *demo) progress(who string) func(pigeonhole.Progress) {
	return func(p pigeonhole.Progress) {
		if p.Total == 0 {
			return
		}
		fmt.Fprintf(d.out, "%s:   %s: %d/%d boxes after %s\n", who, p.Stage, p.Done, p.Total, round(time.Since(d.t0)))
	}
}

// round shortens a duration for printing.
func round(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(100 * time.Millisecond)
	case d > time.Millisecond:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
