package main

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

// done fails the test unless ctx ends in time.
func done(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: not cancelled", what)
	}
}

func TestInterrupts(t *testing.T) {
	ctx, stop := interrupts(context.Background())
	defer stop()
	g := grace(ctx)

	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done(t, ctx, "first interrupt")
	if g.Err() != nil {
		t.Fatal("the first interrupt ended the grace period")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done(t, g, "second interrupt")
}

func TestInterruptsStop(t *testing.T) {
	ctx, stop := interrupts(context.Background())
	stop()
	stop()
	if ctx.Err() == nil || grace(ctx).Err() == nil {
		t.Error("stop did not cancel both contexts")
	}
}

func TestGrace(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	plain := grace(ctx)
	g, cancelGrace := context.WithCancel(context.Background())
	attached := withGrace(ctx, g)
	cancel()
	if plain.Err() != nil {
		t.Error("grace of a plain context ended with it")
	}
	if grace(attached) != g {
		t.Error("withGrace did not attach the grace context")
	}
	cancelGrace()
	if grace(attached).Err() == nil {
		t.Error("grace not cancelled")
	}
}
