// Command status writes a status page of the Katzenpost network, as the
// client daemon sees it: one self-contained HTML file (no scripts, no
// external assets; it works offline) with the node counts, a diagram of
// the topology from the gateways through the mix layers to the service
// nodes and their services, the traffic parameters and the daemon's
// generation.
//
//	go run ./examples/status -mock -o status.html   # the bundled mock daemon
//	go run ./examples/status -o /var/www/kp.html     # kpclientd at @katzenpost
//	go run ./examples/status -config thinclient.toml -o kp.html  # the daemon that file names
//	go run ./examples/status -mock -serve :8080      # a live page: http://localhost:8080/
//
// With -serve it serves the page instead and keeps it current: it
// re-renders on every new PKI document and connection change (it
// subscribes to the client), and shows a chart of echo round-trip times
// from a background ping (-ping 10s) over the last hour, lost pings
// marked. A few lines of script reload the page when something changes
// (without script, a meta refresh does). /debug/vars serves expvar's
// variables with the client's figures, collected through a
// client.Tracer, under "katzenthin".
//
// The page is made with html/template, so every name and address that
// comes from the document is escaped.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/daemonflag"
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

const description = `Write an HTML status page of the Katzenpost network, as the client daemon
sees it: node counts, a diagram of the topology (gateways, mix layers,
service nodes with their services), the traffic parameters and the
daemon's generation. The page is one self-contained file: no scripts, no
external assets, it works offline.`

// run is the whole program; main only adds the process around it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	daemonflag.Usage(fs, "status [flags]", description)
	daemon := daemonflag.Add(fs, 47)
	out := fs.String("o", "-", "write the page to this `file` (-: standard output)")
	addr := fs.String("serve", "", "serve the page live at this `address` (\":8080\", \"127.0.0.1:0\") instead of writing it")
	interval := fs.Duration("ping", 10*time.Second, "with -serve: ping the echo service this often (each ping waits as long for its reply)")
	if err := daemonflag.Parse(fs, args); err != nil {
		return daemonflag.Fail(stderr, "status", err)
	}
	if *addr != "" && *interval <= 0 {
		return daemonflag.Fail(stderr, "status", daemonflag.Usagef("-ping %v: must be positive", *interval))
	}

	var m *metrics
	var opts []client.Option
	if *addr != "" {
		m = newMetrics()
		opts = append(opts, client.WithTracer(m))
	}
	c, cleanup, err := daemon.Connect(ctx, stderr, opts...)
	if err != nil {
		return daemonflag.Fail(stderr, "status", err)
	}
	defer cleanup()

	if *addr != "" {
		if err := serve(ctx, *addr, newServer(c, daemon.Address(), *interval, m), stderr); err != nil {
			return daemonflag.Fail(stderr, "status", err)
		}
		return daemonflag.ExitOK
	}

	p := newPage(c.Document(), daemonInfo{
		Generation: c.Daemon().Generation.String(),
		Address:    daemon.Address(),
		Connected:  c.Connected(),
		MaxPayload: c.Daemon().MaxPayload,
	}, time.Now())

	if *out == "-" {
		err = p.write(stdout)
	} else {
		err = writeFile(*out, p)
	}
	if err != nil {
		return daemonflag.Fail(stderr, "status", err)
	}
	if *out != "-" {
		fmt.Fprintf(stderr, "status: wrote %s (epoch %d, %d nodes)\n", *out, p.Epoch, len(p.Diagram.Nodes))
	}
	return daemonflag.ExitOK
}

// writeFile writes the page to a file, leaving no half-written page behind
// when it fails.
func writeFile(name string, p *page) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := p.write(f); err != nil {
		f.Close()
		os.Remove(name)
		return err
	}
	return f.Close()
}
