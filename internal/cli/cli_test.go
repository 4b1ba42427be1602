package cli_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/internal/cli"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// parse registers the shared flags on a fresh flag set and parses args.
func parse(t *testing.T, args ...string) (*cli.Flags, error) {
	t.Helper()
	fs := flag.NewFlagSet("prog", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := cli.Register(fs)
	return f, cli.Parse(fs, args)
}

// testCtx bounds a test that should finish at once.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// unusedAddress is an abstract socket name nobody listens on.
func unusedAddress() string {
	var b [8]byte
	rand.Read(b[:])
	return "@katzenthin-test-nobody-" + hex.EncodeToString(b[:])
}

func TestDefaults(t *testing.T) {
	f, err := parse(t)
	if err != nil {
		t.Fatal(err)
	}
	if f.Daemon != transport.DefaultAddress || f.Mock || f.MockGeneration != 47 || len(f.DaemonUIDs) != 0 {
		t.Errorf("defaults: %+v", f)
	}
}

func TestConnectMock(t *testing.T) {
	for _, tc := range []struct {
		gen  string
		want wire.Generation
	}{{"47", wire.Generation47}, {"99", wire.Generation99}} {
		t.Run(tc.gen, func(t *testing.T) {
			f, err := parse(t, "-mock", "-mock-generation", tc.gen)
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			c, cleanup, err := cli.Connect(testCtx(t), f, &stderr)
			if err != nil {
				t.Fatal(err)
			}
			defer cleanup()
			if got := c.Daemon().Generation; got != tc.want {
				t.Errorf("generation %v, want %v", got, tc.want)
			}
			if !strings.HasPrefix(f.Address(), "@katzenthin-demo-") {
				t.Errorf("Address() = %q, want a private abstract address", f.Address())
			}
			want := "using the bundled mock daemon at " + f.Address() + " (kpclientd " + tc.want.String() + " protocol)\n"
			if stderr.String() != want {
				t.Errorf("stderr %q, want %q", stderr.String(), want)
			}
			echo, err := c.Service("echo")
			if err != nil {
				t.Fatalf("the mock's document: %v", err)
			}
			cleanup()
			cleanup() // idempotent
			if _, err := c.Send(testCtx(t), echo.Destination(), []byte("x")); !errors.Is(err, client.ErrClosed) {
				t.Errorf("Send after cleanup: %v, want ErrClosed", err)
			}
		})
	}
}

func TestConnectDaemon(t *testing.T) {
	d := mock.Start(t)
	f, err := parse(t, "-daemon", d.Addr(), "-daemon-uid", "12345")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.DaemonUIDs) != 1 || f.DaemonUIDs[0] != 12345 {
		t.Errorf("DaemonUIDs %v", f.DaemonUIDs)
	}
	var stderr bytes.Buffer
	c, cleanup, err := cli.Connect(testCtx(t), f, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if f.Address() != d.Addr() || stderr.Len() != 0 {
		t.Errorf("Address() %q, stderr %q", f.Address(), stderr.String())
	}
	if c.Document().Epoch != d.Document().Epoch {
		t.Error("not the mock's document")
	}
}

func TestConnectNotRunning(t *testing.T) {
	addr := unusedAddress()
	f, err := parse(t, "-daemon", addr)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = cli.Connect(testCtx(t), f, io.Discard)
	if !errors.Is(err, transport.ErrDaemonNotRunning) {
		t.Fatalf("err %v, want ErrDaemonNotRunning", err)
	}
	for _, want := range []string{"no daemon is listening at " + addr, "kpclientd", "go run ./cmd/mockd -listen " + addr, "-mock"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	var stderr bytes.Buffer
	if code := cli.Fail(&stderr, "prog", err); code != cli.ExitFailure {
		t.Errorf("exit %d", code)
	}
	if out := stderr.String(); strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "prog: no daemon is listening") {
		t.Errorf("want one line, got %q", out)
	}
}

func TestConnectInvalidAddress(t *testing.T) {
	f, err := parse(t, "-daemon", "katzenpost")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = cli.Connect(testCtx(t), f, io.Discard)
	if !errors.Is(err, transport.ErrInvalidAddress) {
		t.Fatalf("err %v, want ErrInvalidAddress", err)
	}
	var stderr bytes.Buffer
	if code := cli.Fail(&stderr, "prog", err); code != cli.ExitUsage {
		t.Errorf("exit %d, want %d", code, cli.ExitUsage)
	}
	if !strings.HasPrefix(stderr.String(), "prog: -daemon: ") || !strings.HasSuffix(stderr.String(), "(see prog -help)\n") {
		t.Errorf("stderr %q", stderr.String())
	}
}

func TestConnectBadGeneration(t *testing.T) {
	f, err := parse(t, "-mock", "-mock-generation", "48")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = cli.Connect(testCtx(t), f, io.Discard)
	if _, ok := errors.AsType[*cli.UsageError](err); !ok || !strings.Contains(err.Error(), "want 47 or 99") {
		t.Errorf("err %v, want a usage error", err)
	}
}

// A mock option the daemon refuses must fail Connect, not hang it.
func TestConnectBadMockOption(t *testing.T) {
	f, err := parse(t, "-mock")
	if err != nil {
		t.Fatal(err)
	}
	f.MockOptions = append(f.MockOptions, mock.WithLoss(2))
	_, _, err = cli.Connect(testCtx(t), f, io.Discard)
	if !errors.Is(err, mock.ErrInvalidOption) {
		t.Errorf("err %v, want mock.ErrInvalidOption", err)
	}
}

func TestConnectCancelled(t *testing.T) {
	f, err := parse(t, "-mock")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := cli.Connect(ctx, f, io.Discard); !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		out  string // on stderr, from Fail
	}{
		{[]string{"-help"}, cli.ExitOK, ""},
		{[]string{"-nonsense"}, cli.ExitUsage, ""}, // the flag package reports it
		{[]string{"-daemon-uid", "me"}, cli.ExitUsage, ""},
		{[]string{"extra"}, cli.ExitUsage, `prog: unexpected arguments ["extra"]: everything is a flag (see prog -help)` + "\n"},
	} {
		_, err := parse(t, tc.args...)
		if err == nil {
			t.Errorf("%q: no error", tc.args)
			continue
		}
		var stderr bytes.Buffer
		if code := cli.Fail(&stderr, "prog", err); code != tc.code || stderr.String() != tc.out {
			t.Errorf("%q: exit %d, stderr %q; want %d, %q", tc.args, code, stderr.String(), tc.code, tc.out)
		}
	}
}

func TestFail(t *testing.T) {
	var stderr bytes.Buffer
	if code := cli.Fail(&stderr, "prog", nil); code != cli.ExitOK || stderr.Len() != 0 {
		t.Errorf("nil: %d %q", code, stderr.String())
	}
	if code := cli.Fail(&stderr, "prog", errors.New("first\n  second\n")); code != cli.ExitFailure || stderr.String() != "prog: first; second\n" {
		t.Errorf("multi-line: %d %q", code, stderr.String())
	}
	stderr.Reset()
	err := cli.Usagef("-count %d: want more", -1)
	if code := cli.Fail(&stderr, "prog", err); code != cli.ExitUsage || stderr.String() != "prog: -count -1: want more (see prog -help)\n" {
		t.Errorf("usage: %d %q", code, stderr.String())
	}
}

func TestUsage(t *testing.T) {
	fs := flag.NewFlagSet("prog", flag.ContinueOnError)
	var out bytes.Buffer
	fs.SetOutput(&out)
	cli.Register(fs)
	cli.Usage(fs, "prog [flags]", "\nDoes things.\n")
	if err := cli.Parse(fs, []string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatal(err)
	}
	for _, want := range []string{"Usage: prog [flags]\n\nDoes things.\n\nFlags:\n", "-daemon address", "-mock\n", "-mock-generation", "-daemon-uid uid"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, out.String())
		}
	}
}
