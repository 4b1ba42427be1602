// Command soak runs the client against the bundled mock daemon for a
// while, the way a busy backend would beside a flaky daemon: many
// goroutines calling with random deadlines and cancellations, the daemon
// dropping every connection every few seconds and losing some replies.
// At the end it prints what happened and fails if any caller got another
// caller's reply, if a payload was written after its call returned (a
// ghost send), if a reply reached the client but not its call, or if
// goroutines or heap leaked. -churn drops every connection every few
// milliseconds instead.
//
//	go run ./internal/soak -duration 10m
//	go run ./internal/soak -duration 10m -churn -generation 99
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.DurationVar(&cfg.duration, "duration", 2*time.Minute, "how long to soak")
	fs.IntVar(&cfg.callers, "callers", 256, "concurrent calling goroutines")
	fs.DurationVar(&cfg.dropEvery, "drop-every", 3*time.Second, "how often the daemon drops every connection")
	fs.Float64Var(&cfg.loss, "loss", 0.05, "probability that the daemon loses a reply")
	gen := fs.Int("generation", 47, "daemon generation to soak against: 47 or 99")
	fs.BoolVar(&cfg.churn, "churn", false, "connection churn: drop every connection every few milliseconds (-drop-every 5ms unless set), reconnect in 1-2 ms")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if cfg.churn {
		set := false
		fs.Visit(func(f *flag.Flag) { set = set || f.Name == "drop-every" })
		if !set {
			cfg.dropEvery = 5 * time.Millisecond
		}
	}
	switch *gen {
	case 47:
		cfg.generation = wire.Generation47
	case 99:
		cfg.generation = wire.Generation99
	default:
		fmt.Fprintf(stderr, "soak: -generation must be 47 or 99\n")
		return 2
	}
	res, err := soak(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "soak: %v\n", err)
		return 1
	}
	res.print(stdout)
	if problems := res.problems(); len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(stderr, "soak: FAIL: %s\n", p)
		}
		return 1
	}
	fmt.Fprintln(stdout, "soak: PASS")
	return 0
}
