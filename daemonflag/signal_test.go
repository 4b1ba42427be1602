package daemonflag_test

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/daemonflag"
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
	ctx, stop := daemonflag.Interrupts(context.Background())
	defer stop()
	grace := daemonflag.Grace(ctx)

	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done(t, ctx, "first interrupt")
	if grace.Err() != nil {
		t.Fatal("the first interrupt ended the grace period")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done(t, grace, "second interrupt")
}

func TestInterruptsStop(t *testing.T) {
	ctx, stop := daemonflag.Interrupts(context.Background())
	stop()
	stop()
	if ctx.Err() == nil || daemonflag.Grace(ctx).Err() == nil {
		t.Error("stop did not cancel both contexts")
	}
}

func TestGrace(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	plain := daemonflag.Grace(ctx)
	grace, cancelGrace := context.WithCancel(context.Background())
	withGrace := daemonflag.WithGrace(ctx, grace)
	cancel()
	if plain.Err() != nil {
		t.Error("Grace of a plain context ended with it")
	}
	if daemonflag.Grace(withGrace) != grace {
		t.Error("WithGrace did not attach the grace context")
	}
	cancelGrace()
	if daemonflag.Grace(withGrace).Err() == nil {
		t.Error("grace not cancelled")
	}
}
