// Command echo pings an echo service of a Katzenpost mix network through
// the client daemon, as ping(8) pings a host: it sends a random payload
// every -interval, prints a line for each reply with its round-trip time,
// and a summary at the end.
//
//	go run ./examples/echo -mock -count 5   # the bundled mock daemon
//	go run ./examples/echo -reliable        # kpclientd at @katzenpost, until Ctrl-C
//	go run ./examples/echo -config thinclient.toml -count 5  # the daemon that file names
//
// A reply must start with the payload sent (the daemon pads replies with
// zeros to its reply size); one that does not counts as an error. The
// first Ctrl-C stops sending and waits for the replies in flight, each up
// to its -timeout; a second Ctrl-C stops waiting. The exit status is 0
// when every ping was answered, 1 when replies were lost or wrong or the
// daemon could not be used, 2 for a bad command line.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/daemonflag"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/service"
)

func main() {
	ctx, stop := daemonflag.Interrupts(context.Background())
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const description = `Ping an echo service of the Katzenpost mix network through the client
daemon, as ping(8) pings a host: one line per reply with its round-trip
time, a summary at the end. The first Ctrl-C stops sending and waits for
the replies in flight (up to -timeout); a second one stops waiting.
Exit status: 0 if every ping was answered, 1 if some were lost or wrong
or the daemon could not be used, 2 for a bad command line.`

// options are echo's own flags.
type options struct {
	service     string
	count       int
	interval    time.Duration
	size        int
	concurrency int
	timeout     time.Duration
	reliable    bool
	mockLoss    float64
	mockLatency time.Duration
}

// run is the whole program; main only adds the process around it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("echo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	daemonflag.Usage(fs, "echo [flags]", description)
	daemon := daemonflag.Add(fs, 47)
	var o options
	fs.StringVar(&o.service, "service", "echo", "the `capability` to ping: any service that sends its payload back")
	fs.IntVar(&o.count, "count", 0, "stop after `n` pings (0: until interrupted)")
	fs.DurationVar(&o.interval, "interval", time.Second, "wait between sends")
	fs.IntVar(&o.size, "size", 56, "random payload `bytes` per ping, at most the daemon's payload limit")
	fs.IntVar(&o.concurrency, "concurrency", 1, "pings awaiting a reply at once (1: each waits for its reply or -timeout)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "how long each ping waits for its reply, retransmissions included")
	fs.BoolVar(&o.reliable, "reliable", false, "send with SendReliable (retransmitted until answered) instead of Send")
	fs.Float64Var(&o.mockLoss, "mock-loss", 0, "with -mock: the `probability`, 0 to 1, that the mock loses a reply")
	fs.DurationVar(&o.mockLatency, "mock-latency", 0, "with -mock: the mock's delay before each reply")
	if err := daemonflag.Parse(fs, args); err != nil {
		return daemonflag.Fail(stderr, "echo", err)
	}
	if err := o.check(fs, daemon.Mock); err != nil {
		return daemonflag.Fail(stderr, "echo", err)
	}
	daemon.MockOptions = append(daemon.MockOptions, mock.WithLoss(o.mockLoss), mock.WithLatency(o.mockLatency))

	c, cleanup, err := daemon.Connect(ctx, stderr)
	if err != nil {
		return daemonflag.Fail(stderr, "echo", err)
	}
	defer cleanup()

	svc, err := c.Service(o.service)
	if err != nil {
		return daemonflag.Fail(stderr, "echo", fmt.Errorf("no service node offers %q (examples/pkidoc lists the services): %w", o.service, err))
	}
	if limit := c.Daemon().MaxPayload; o.size > limit {
		return daemonflag.Fail(stderr, "echo", daemonflag.Usagef("-size %d: over the daemon's payload limit of %d bytes", o.size, limit))
	}
	if !c.Connected() {
		fmt.Fprintln(stderr, "echo: the daemon says it has no connection to the mixnet: pings fail until it has one")
	}

	fmt.Fprintf(stdout, "PING %s on %s (queue %q) through kpclientd %s: %d bytes per ping\n",
		o.service, svc.Node.Name, svc.Queue, c.Daemon().Generation, o.size)
	p := &pinger{c: c, dst: svc.Destination(), node: svc.Node.Name, o: o, out: stdout, stderr: stderr}
	p.run(ctx)
	p.summary()
	if p.lost+p.errors > 0 {
		return daemonflag.ExitFailure
	}
	return daemonflag.ExitOK
}

// check refuses flag values echo cannot use.
func (o *options) check(fs *flag.FlagSet, withMock bool) error {
	switch {
	case o.count < 0:
		return daemonflag.Usagef("-count %d: want 0 (until interrupted) or more", o.count)
	case o.interval < 0:
		return daemonflag.Usagef("-interval %v: want 0 or more", o.interval)
	case o.size < 1:
		return daemonflag.Usagef("-size %d: want 1 or more", o.size)
	case o.concurrency < 1:
		return daemonflag.Usagef("-concurrency %d: want 1 or more", o.concurrency)
	case o.timeout <= 0:
		return daemonflag.Usagef("-timeout %v: want more than 0", o.timeout)
	case o.mockLoss < 0 || o.mockLoss > 1:
		return daemonflag.Usagef("-mock-loss %v: want a probability from 0 to 1", o.mockLoss)
	case o.mockLatency < 0:
		return daemonflag.Usagef("-mock-latency %v: want 0 or more", o.mockLatency)
	}
	var err error
	fs.Visit(func(f *flag.Flag) {
		if (f.Name == "mock-loss" || f.Name == "mock-latency") && !withMock && err == nil {
			err = daemonflag.Usagef("-%s needs -mock", f.Name)
		}
	})
	return err
}

// pinger sends the pings and keeps the score.
type pinger struct {
	c      *client.Client
	dst    service.Destination
	node   string
	o      options
	stderr io.Writer

	mu                           sync.Mutex // guards out and the counters below
	out                          io.Writer
	sent, received, lost, errors int
	rtts                         []time.Duration
	elapsed                      time.Duration
}

// run sends pings until -count is reached or ctx ends, then waits for the
// replies in flight: each up to its timeout, all of them until the
// second interrupt (grace).
func (p *pinger) run(ctx context.Context) {
	start := time.Now()
	slots := make(chan struct{}, p.o.concurrency) // one per ping in flight
	var wg sync.WaitGroup
	var due time.Time // when the next ping may go
	for seq := 1; p.o.count == 0 || seq <= p.o.count; seq++ {
		if !wait(ctx, slots, due) {
			break
		}
		due = time.Now().Add(p.o.interval)
		p.mu.Lock()
		p.sent++
		p.mu.Unlock()
		wg.Go(func() {
			defer func() { <-slots }()
			p.ping(daemonflag.Grace(ctx), seq)
		})
	}
	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
	case <-ctx.Done(): // interrupted while sending, or while waiting for the last replies
		if n := len(slots); n > 0 {
			fmt.Fprintf(p.stderr, "echo: interrupted: no more pings; waiting up to %v for %d %s in flight (Ctrl-C again to stop waiting)\n",
				p.o.timeout, n, plural(n, "reply", "replies"))
		}
		<-finished
	}
	p.elapsed = time.Since(start)
}

// wait takes a slot for the next ping and waits until it is due. It gives
// up, holding no slot, when ctx ends first.
func wait(ctx context.Context, slots chan struct{}, due time.Time) bool {
	if ctx.Err() != nil {
		return false
	}
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	if d := time.Until(due); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			<-slots
			return false
		}
	}
	return true
}

// ping sends one random payload, waits for its echo and records it.
func (p *pinger) ping(ctx context.Context, seq int) {
	ctx, cancel := context.WithTimeout(ctx, p.o.timeout)
	defer cancel()
	payload := make([]byte, p.o.size)
	rand.Read(payload)
	send := p.c.Send
	if p.o.reliable {
		send = p.c.SendReliable
	}
	start := time.Now()
	reply, err := send(ctx, p.dst, payload)
	rtt := time.Since(start)

	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case err == nil && bytes.HasPrefix(reply.Payload, payload):
		p.received++
		p.rtts = append(p.rtts, rtt)
		eta := ""
		if reply.ETA > 0 {
			eta = fmt.Sprintf(" eta=%v", reply.ETA.Round(time.Millisecond))
		}
		fmt.Fprintf(p.out, "%d bytes from %s: seq=%d time=%s ms%s\n", len(reply.Payload), p.node, seq, ms(rtt), eta)
	case err == nil:
		p.errors++
		fmt.Fprintf(p.out, "seq=%d: wrong reply: its %d bytes do not start with the %d bytes sent\n", seq, len(reply.Payload), len(payload))
	case errors.Is(err, context.DeadlineExceeded):
		p.lost++
		fmt.Fprintf(p.out, "seq=%d: no reply within %v\n", seq, p.o.timeout)
	case errors.Is(err, client.ErrRetransmissionsExhausted):
		p.lost++
		fmt.Fprintf(p.out, "seq=%d: no reply: retransmissions exhausted\n", seq)
	case errors.Is(err, context.Canceled):
		p.lost++
		fmt.Fprintf(p.out, "seq=%d: no reply yet; stopped waiting\n", seq)
	default:
		p.errors++
		fmt.Fprintf(p.out, "seq=%d: %v\n", seq, err)
	}
}

// summary prints the statistics, as ping(8) does.
func (p *pinger) summary() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, "--- %s ping statistics ---\n", p.o.service)
	loss := 0.0
	if p.sent > 0 {
		loss = 100 * float64(p.lost) / float64(p.sent)
	}
	fmt.Fprintf(p.out, "%d sent, %d received, %d lost (%.3g%% loss)", p.sent, p.received, p.lost, loss)
	if p.errors > 0 {
		fmt.Fprintf(p.out, ", %d %s", p.errors, plural(p.errors, "error", "errors"))
	}
	fmt.Fprintf(p.out, ", time %v\n", p.elapsed.Round(time.Millisecond))
	if len(p.rtts) == 0 {
		return
	}
	lo, hi, sum, sumSq := p.rtts[0], p.rtts[0], 0.0, 0.0
	for _, r := range p.rtts {
		lo, hi = min(lo, r), max(hi, r)
		sum += float64(r)
		sumSq += float64(r) * float64(r)
	}
	n := float64(len(p.rtts))
	mean := sum / n
	stddev := time.Duration(math.Sqrt(max(0, sumSq/n-mean*mean)))
	fmt.Fprintf(p.out, "rtt min/avg/max/stddev = %s/%s/%s/%s ms\n", ms(lo), ms(time.Duration(mean)), ms(hi), ms(stddev))
}

// ms formats d in milliseconds, as ping(8) does.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.3f", float64(d)/float64(time.Millisecond))
}

// plural picks the word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
