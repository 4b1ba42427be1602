package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interrupts returns a context for a program that stops in two stages.
// The first SIGINT (Ctrl-C) or SIGTERM cancels ctx: stop sending. The
// second cancels grace(ctx): stop waiting for the replies in flight.
// After that the signals get their default effect again, so a third
// Ctrl-C kills the program. stop releases the signals and cancels both
// contexts; call it before exiting.
func interrupts(parent context.Context) (ctx context.Context, stop func()) {
	graceCtx, cancelGrace := context.WithCancel(context.WithoutCancel(parent))
	ctx, cancel := context.WithCancel(parent)
	ctx = withGrace(ctx, graceCtx)

	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer signal.Stop(sig)
		select {
		case <-sig:
			cancel()
		case <-quit:
			return
		}
		select {
		case <-sig:
			cancelGrace()
		case <-quit:
		}
	})
	stop = sync.OnceFunc(func() {
		close(quit)
		wg.Wait()
		cancel()
		cancelGrace()
	})
	return ctx, stop
}

// graceKey is the context key of the grace context.
type graceKey struct{}

// withGrace returns a copy of ctx whose grace is g. The tests use it to
// act out a second Ctrl-C.
func withGrace(ctx, g context.Context) context.Context {
	return context.WithValue(ctx, graceKey{}, g)
}

// grace returns the context that bounds the wait for the replies in
// flight once ctx is done: the one withGrace attached, or else one that
// is never cancelled with ctx (but carries its values).
func grace(ctx context.Context) context.Context {
	if g, ok := ctx.Value(graceKey{}).(context.Context); ok {
		return g
	}
	return context.WithoutCancel(ctx)
}
