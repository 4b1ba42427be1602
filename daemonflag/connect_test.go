package daemonflag_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/daemonflag"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// parse defines the daemon flags on a fresh flag set and parses args.
func parse(t *testing.T, args ...string) (*daemonflag.Flags, error) {
	t.Helper()
	set := flag.NewFlagSet("prog", flag.ContinueOnError)
	set.SetOutput(io.Discard)
	f := daemonflag.Add(set, 47)
	return f, daemonflag.Parse(set, args)
}

// testCtx bounds a test that should finish at once.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestDefaults(t *testing.T) {
	f, err := parse(t)
	if err != nil {
		t.Fatal(err)
	}
	if f.Daemon != transport.DefaultAddress || f.Config != "" || f.Mock || f.MockGeneration != 47 || len(f.DaemonUIDs) != 0 || f.Address() != "" {
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
			c, cleanup, err := f.Connect(testCtx(t), &stderr)
			if err != nil {
				t.Fatal(err)
			}
			defer cleanup()
			if got := c.Daemon().Generation; got != tc.want {
				t.Errorf("generation %v, want %v", got, tc.want)
			}
			want := "using the bundled mock daemon at " + f.Address() + " (kpclientd " + tc.want.String() + " protocol)\n"
			if !strings.HasPrefix(f.Address(), "@katzenthin-mock-") || stderr.String() != want {
				t.Errorf("Address() %q, stderr %q", f.Address(), stderr.String())
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
			if _, err := transport.Unix(f.Address()).Dial(testCtx(t)); !errors.Is(err, transport.ErrDaemonNotRunning) {
				t.Errorf("the mock still listens after cleanup: %v", err)
			}
		})
	}
}

func TestConnectDaemon(t *testing.T) {
	d := mock.Start(t)
	f, err := parse(t, "-daemon", d.Addr(), "-daemon-uid", "12345", "-daemon-uid", "7")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.DaemonUIDs) != 2 || f.DaemonUIDs[0] != 12345 || f.DaemonUIDs[1] != 7 {
		t.Errorf("DaemonUIDs %v", f.DaemonUIDs)
	}
	var stderr bytes.Buffer
	c, cleanup, err := f.Connect(testCtx(t), &stderr)
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

// Dial reaches the daemon Connect reached, the mock included, and
// refuses before Connect.
func TestDial(t *testing.T) {
	f, err := parse(t, "-mock")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Dial(testCtx(t)); err == nil {
		t.Fatal("Dial before Connect succeeded")
	}
	c, cleanup, err := f.Connect(testCtx(t), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	other, err := f.Dial(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if other.Document().Epoch != c.Document().Epoch || other.Daemon().Generation != c.Daemon().Generation {
		t.Error("Dial reached another daemon")
	}
}

func TestConnectErrors(t *testing.T) {
	var b [8]byte
	rand.Read(b[:])
	nobody := "@katzenthin-test-nobody-" + hex.EncodeToString(b[:])
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	for _, tc := range []struct {
		name    string
		args    []string
		mockOpt mock.Option
		ctx     context.Context
		is      error
		code    int
		says    []string
	}{
		{name: "not running", args: []string{"-daemon", nobody}, is: transport.ErrDaemonNotRunning, code: daemonflag.ExitFailure,
			says: []string{"prog: no daemon is listening at " + nobody + ": start kpclientd there",
				`"go run ./cmd/mockd -listen ` + nobody + `"`, "pass -mock"}},
		{name: "bad address", args: []string{"-daemon", "katzenpost"}, is: transport.ErrInvalidAddress, code: daemonflag.ExitUsage,
			says: []string{"prog: -daemon: ", "(see prog -help)\n"}},
		{name: "bad generation", args: []string{"-mock", "-mock-generation", "48"}, code: daemonflag.ExitUsage,
			says: []string{"prog: -mock-generation 48: want 47 or 99 (see prog -help)\n"}},
		{name: "bad mock option", args: []string{"-mock"}, mockOpt: mock.WithLoss(2), is: mock.ErrInvalidOption, code: daemonflag.ExitFailure,
			says: []string{"prog: starting the mock daemon: "}},
		{name: "cancelled", args: []string{"-mock"}, ctx: cancelled, is: context.Canceled, code: daemonflag.ExitFailure,
			says: []string{"prog: interrupted while connecting to the daemon at @katzenthin-mock-"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parse(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if tc.mockOpt != nil {
				f.MockOptions = append(f.MockOptions, tc.mockOpt)
			}
			ctx := tc.ctx
			if ctx == nil {
				ctx = testCtx(t)
			}
			_, _, err = f.Connect(ctx, io.Discard)
			if err == nil || tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("err %v, want %v", err, tc.is)
			}
			var stderr bytes.Buffer
			code := daemonflag.Fail(&stderr, "prog", err)
			out := stderr.String()
			if code != tc.code || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, tc.says[0]) {
				t.Errorf("exit %d, stderr %q; want %d, %q...", code, out, tc.code, tc.says[0])
			}
			for _, s := range tc.says[1:] {
				if !strings.Contains(out, s) {
					t.Errorf("stderr %q does not say %q", out, s)
				}
			}
		})
	}
}

// writeConfig writes a thin-client configuration file naming addr.
func writeConfig(t *testing.T, addr string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "thinclient.toml")
	if err := os.WriteFile(path, []byte("[Dial]\n  [Dial.Unix]\n    Address = \""+addr+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConnectConfig(t *testing.T) {
	d := mock.Start(t)
	f, err := parse(t, "-config", writeConfig(t, d.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	c, cleanup, err := f.Connect(testCtx(t), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if c.Document().Epoch != d.Document().Epoch || f.Address() != d.Addr() {
		t.Errorf("Address() %q, not the mock at %q", f.Address(), d.Addr())
	}
}

// -config excludes -daemon and -mock, and a file it cannot use is a
// usage error naming the flag.
func TestConnectConfigErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("[Dial]\n  [Dial.Unix]\n    Adress = \"@x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.toml")
	for _, tc := range []struct {
		args []string
		is   error
		says string
	}{
		{[]string{"-config", bad, "-mock"}, nil,
			"prog: -config and -mock exclude each other: the file names a daemon, -mock starts one (see prog -help)\n"},
		{[]string{"-daemon", "@katzenpost", "-config", bad}, nil,
			"prog: -config and -daemon exclude each other: both name the daemon (see prog -help)\n"},
		{[]string{"-config", missing}, fs.ErrNotExist, "prog: -config: transport: " + missing + ": "},
		{[]string{"-config", bad}, transport.ErrConfig, "prog: -config: transport: " + bad + ": "},
	} {
		f, err := parse(t, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = f.Connect(testCtx(t), io.Discard)
		if err == nil || tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%q: err %v, want %v", tc.args, err, tc.is)
			continue
		}
		var stderr bytes.Buffer
		if code := daemonflag.Fail(&stderr, "prog", err); code != daemonflag.ExitUsage || !strings.HasPrefix(stderr.String(), tc.says) {
			t.Errorf("%q: exit %d, stderr %q; want %d, %q", tc.args, code, stderr.String(), daemonflag.ExitUsage, tc.says)
		}
	}
}

// Check finds the mistakes Connect would, without connecting or starting
// the mock.
func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"-mock"}, true},
		{[]string{"-daemon", "@katzenthin-test-nobody"}, true},
		{[]string{"-daemon", "katzenpost"}, false},
		{[]string{"-mock", "-mock-generation", "48"}, false},
		{[]string{"-config", "x.toml", "-mock"}, false},
		{[]string{"-config", filepath.Join(t.TempDir(), "missing.toml")}, false},
	} {
		f, err := parse(t, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		err = f.Check()
		if _, usage := errors.AsType[*daemonflag.UsageError](err); tc.ok != (err == nil) || err != nil && !usage {
			t.Errorf("%q: Check() = %v, want ok %v or a usage error", tc.args, err, tc.ok)
		}
		if f.Mock && f.Address() != "" {
			t.Errorf("%q: Check started the mock at %s", tc.args, f.Address())
		}
	}
}

// TestConnectWarnsOfReachableDaemon: the client's warning about a daemon
// address other machines can reach shows on the program's stderr, and a
// loopback address warns of nothing. The context has ended, so nothing
// is dialled.
func TestConnectWarnsOfReachableDaemon(t *testing.T) {
	ended, cancel := context.WithCancel(t.Context())
	cancel()
	for _, tt := range []struct {
		addr string
		warn bool
	}{
		{"tcp:192.0.2.7:64331", true},
		{"tcp:127.0.0.1:64331", false},
	} {
		f, err := parse(t, "-daemon", tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		if _, _, err := f.Connect(ended, &stderr); err == nil {
			t.Fatalf("%s: Connect with an ended context succeeded", tt.addr)
		}
		warned := strings.Contains(stderr.String(), "level=WARN") && strings.Contains(stderr.String(), "not a loopback address")
		if warned != tt.warn {
			t.Errorf("%s: stderr %q; want a warning: %v", tt.addr, stderr.String(), tt.warn)
		}
	}
}
