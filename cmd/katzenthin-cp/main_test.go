package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// result is what a run of the program printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// cp runs the program in-process.
func cp(ctx context.Context, args ...string) result {
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// mustCP runs the program and fails the test unless it succeeds.
func mustCP(t *testing.T, args ...string) result {
	t.Helper()
	r := cp(t.Context(), args...)
	if r.code != 0 {
		t.Fatalf("katzenthin-cp %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// dial connects a client to the mock, closed when the test ends.
func dial(t *testing.T, d *mock.Daemon) *client.Client {
	t.Helper()
	c, err := client.Dial(t.Context(), client.WithDialer(d.Dialer()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
