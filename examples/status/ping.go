package main

import (
	"context"
	"fmt"
	"time"

	"github.com/katzenthin/katzenthin/client"
)

// pinger sends an echo every interval and keeps the outcomes.
type pinger struct {
	c        *client.Client
	interval time.Duration // also each ping's timeout: a reply later than that counts as lost
	hist     *history
	seq      int
	done     func() // called after every ping, to refresh the page
}

// run pings at once, then every interval, until ctx ends. Pings do not
// overlap: one that takes the whole interval delays the next tick.
func (p *pinger) run(ctx context.Context) {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		p.once(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// once sends one echo with client.Call and records how it went. A ping
// cut short because the program is stopping is not recorded.
func (p *pinger) once(ctx context.Context) {
	p.seq++
	s := sample{At: time.Now()}
	err := p.echo(ctx, fmt.Sprintf("ping %d", p.seq))
	if ctx.Err() != nil {
		return
	}
	s.Outcome = client.Outcome(err)
	if err == nil {
		s.RTT = time.Since(s.At)
	}
	p.hist.add(s)
	if p.done != nil {
		p.done()
	}
}

// echo is one round trip to an echo service, which must answer the
// request itself.
func (p *pinger) echo(ctx context.Context, msg string) error {
	svc, err := p.c.Service("echo")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, p.interval)
	defer cancel()
	got, err := client.Call[string](ctx, p.c, svc.Destination(), msg)
	if err == nil && got != msg {
		return fmt.Errorf("echo answered %d bytes that are not the request", len(got))
	}
	return err
}
