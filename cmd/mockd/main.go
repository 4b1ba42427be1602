// Command mockd serves the katzenthin mock daemon (package mock) on a
// socket, so that thin clients in any language can be tested without a
// mixnet:
//
//	go run ./cmd/mockd -listen @katzenpost
//	go run ./cmd/mockd -listen /tmp/kp.sock -generation 99 -latency 50ms -service ping
//	go run ./cmd/mockd -listen tcp:127.0.0.1:64331 -loss 0.1
//	go run ./cmd/mockd -listen ws://127.0.0.1:64331 -generation 99
//	go run ./cmd/mockd -generation 99 -pigeonhole-local 2s -pigeonhole-mixnet 3s
//
// It prints the PKI document's summary, logs every request's kind (never
// a payload) on standard error, and serves until SIGINT or SIGTERM, when
// it sends every client a shutdown event and exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "mockd:", err)
		}
		os.Exit(2)
	}
}

// services collects the repeatable -service flag.
type services []string

func (s *services) String() string { return strings.Join(*s, ",") }

func (s *services) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// run parses args, serves until ctx ends, then closes the daemon (which
// sends the shutdown events). Once listening it writes a line starting
// "mockd: serving" to stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mockd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", transport.DefaultAddress, `address to listen on: "@name", "/path", "unix:...", "tcp:host:port", "ws://host:port" (a WebSocket, as kpclientd v0.0.99's [Listen.Ws])`)
	defaultGeneration := 47
	if mock.DefaultGeneration == wire.Generation99 {
		defaultGeneration = 99
	}
	generation := fs.Int("generation", defaultGeneration, "protocol generation: 47 (kpclientd v0.0.47) or 99 (v0.0.99)")
	latency := fs.Duration("latency", 0, "delay before each reply")
	loss := fs.Float64("loss", 0, "probability that a reply is lost, 0 to 1")
	pacing := fs.Duration("pacing", 0, "send messages one per Poisson slot of this mean interval, as a real daemon does (about 1s); 0: at once")
	maxPayload := fs.Int("max-payload", mock.DefaultMaxPayload, "largest payload a send may carry")
	replySize := fs.Int("reply-size", mock.DefaultReplySize, "length replies are zero-padded to")
	offline := fs.Bool("offline", false, "start not connected to the mixnet")
	grace := fs.Duration("grace", mock.DefaultGracePeriod, "v0.0.99 session resume grace period")
	phLocal := fs.Duration("pigeonhole-local", 0, "v0.0.99: time each Pigeonhole encryption takes (the real daemon: seconds)")
	phMixnet := fs.Duration("pigeonhole-mixnet", 0, "v0.0.99: time each Pigeonhole courier round trip takes")
	phLoss := fs.Float64("pigeonhole-loss", 0, "v0.0.99: probability that a courier round trip is lost and repeated, 0 to <1")
	quiet := fs.Bool("quiet", false, "log warnings only, not every request")
	var extra services
	fs.Var(&extra, "service", "add an echo service under this capability (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	var gen wire.Generation
	switch *generation {
	case 47:
		gen = wire.Generation47
	case 99:
		gen = wire.Generation99
	default:
		return fmt.Errorf("-generation %d: want 47 or 99", *generation)
	}
	level := slog.LevelDebug
	if *quiet {
		level = slog.LevelWarn
	}
	opts := []mock.Option{
		mock.WithGeneration(gen),
		mock.WithLatency(*latency),
		mock.WithLoss(*loss),
		mock.WithSendPacing(*pacing),
		mock.WithMaxPayload(*maxPayload),
		mock.WithReplySize(*replySize),
		mock.WithGracePeriod(*grace),
		mock.WithPigeonholeLatency(*phLocal, *phMixnet),
		mock.WithPigeonholeLoss(*phLoss),
		mock.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))),
	}
	if *offline {
		opts = append(opts, mock.WithOffline())
	}
	for _, name := range extra {
		opts = append(opts, mock.WithService(name, func(p []byte) []byte { return p }))
	}

	d, addr, err := mock.Listen(*listen, opts...)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, d.Document().String())
	fmt.Fprintf(stdout, "mockd: serving the kpclientd %s protocol at %s\n", gen, addr)
	<-ctx.Done()
	return d.Close() // the error that stopped serving, if any
}
