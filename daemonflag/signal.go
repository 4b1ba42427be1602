package daemonflag

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Interrupts returns a context for a program that stops in two stages.
// The first SIGINT (Ctrl-C) or SIGTERM cancels ctx: stop starting new
// work. The second cancels Grace(ctx): stop waiting for the work in
// flight. After that the signals get their default effect again, so a
// third Ctrl-C kills the program. stop releases the signals and cancels
// both contexts; call it before exiting.
func Interrupts(parent context.Context) (ctx context.Context, stop func()) {
	grace, cancelGrace := context.WithCancel(context.WithoutCancel(parent))
	ctx, cancel := context.WithCancel(parent)
	ctx = WithGrace(ctx, grace)

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

// WithGrace returns a copy of ctx whose Grace is grace. Interrupts uses
// it; tests use it to act out a second Ctrl-C.
func WithGrace(ctx, grace context.Context) context.Context {
	return context.WithValue(ctx, graceKey{}, grace)
}

// Grace returns the context that bounds the wait for work in flight once
// ctx is done: the one WithGrace attached, cancelled by the second
// interrupt, or else one that is never cancelled with ctx (but carries
// its values).
func Grace(ctx context.Context) context.Context {
	if g, ok := ctx.Value(graceKey{}).(context.Context); ok {
		return g
	}
	return context.WithoutCancel(ctx)
}
