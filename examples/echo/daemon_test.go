package main

// The tests of daemon.go, which every example program carries a copy of.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// parseDaemonFlags defines the daemon flags on a fresh flag set and
// parses args.
func parseDaemonFlags(t *testing.T, args ...string) (*daemonFlags, error) {
	t.Helper()
	set := flag.NewFlagSet("prog", flag.ContinueOnError)
	set.SetOutput(io.Discard)
	f := addDaemonFlags(set, 47)
	return f, parseFlags(set, args)
}

func TestDaemonFlagsDefaults(t *testing.T) {
	f, err := parseDaemonFlags(t)
	if err != nil {
		t.Fatal(err)
	}
	if f.address != transport.DefaultAddress || f.mock || f.generation != 47 || len(f.uids) != 0 {
		t.Errorf("defaults: %+v", f)
	}
}

func TestConnectMock(t *testing.T) {
	for _, tc := range []struct {
		gen  string
		want wire.Generation
	}{{"47", wire.Generation47}, {"99", wire.Generation99}} {
		t.Run(tc.gen, func(t *testing.T) {
			f, err := parseDaemonFlags(t, "-mock", "-mock-generation", tc.gen)
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			c, closeAll, err := f.connect(testCtx(t), &stderr)
			if err != nil {
				t.Fatal(err)
			}
			defer closeAll()
			if got := c.Daemon().Generation; got != tc.want {
				t.Errorf("generation %v, want %v", got, tc.want)
			}
			want := "using the bundled mock daemon at " + f.dialled + " (kpclientd " + tc.want.String() + " protocol)\n"
			if !strings.HasPrefix(f.dialled, "@katzenthin-mock-") || stderr.String() != want {
				t.Errorf("dialled %q, stderr %q", f.dialled, stderr.String())
			}
			echo, err := c.Service("echo")
			if err != nil {
				t.Fatalf("the mock's document: %v", err)
			}
			closeAll()
			if _, err := c.Send(testCtx(t), echo.Destination(), []byte("x")); !errors.Is(err, client.ErrClosed) {
				t.Errorf("Send after close: %v, want ErrClosed", err)
			}
			if _, err := transport.Unix(f.dialled).Dial(testCtx(t)); !errors.Is(err, transport.ErrDaemonNotRunning) {
				t.Errorf("the mock still listens after close: %v", err)
			}
		})
	}
}

func TestConnectDaemon(t *testing.T) {
	d := mock.Start(t)
	f, err := parseDaemonFlags(t, "-daemon", d.Addr(), "-daemon-uid", "12345", "-daemon-uid", "7")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.uids) != 2 || f.uids[0] != 12345 || f.uids[1] != 7 {
		t.Errorf("uids %v", f.uids)
	}
	var stderr bytes.Buffer
	c, closeAll, err := f.connect(testCtx(t), &stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	if f.dialled != d.Addr() || stderr.Len() != 0 {
		t.Errorf("dialled %q, stderr %q", f.dialled, stderr.String())
	}
	if c.Document().Epoch != d.Document().Epoch {
		t.Error("not the mock's document")
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
		says    string
	}{
		{name: "not running", args: []string{"-daemon", nobody}, is: transport.ErrDaemonNotRunning, code: exitFailure,
			says: "prog: no daemon is listening at " + nobody + ": start kpclientd there"},
		{name: "bad address", args: []string{"-daemon", "katzenpost"}, is: transport.ErrInvalidAddress, code: exitUsage,
			says: "prog: -daemon: "},
		{name: "bad generation", args: []string{"-mock", "-mock-generation", "48"}, code: exitUsage,
			says: "prog: -mock-generation 48: want 47 or 99 (see prog -help)\n"},
		{name: "bad mock option", args: []string{"-mock"}, mockOpt: mock.WithLoss(2), is: mock.ErrInvalidOption, code: exitFailure,
			says: "prog: starting the mock daemon: "},
		{name: "cancelled", args: []string{"-mock"}, ctx: cancelled, is: context.Canceled, code: exitFailure,
			says: "prog: interrupted while connecting to the daemon at @katzenthin-mock-"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseDaemonFlags(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if tc.mockOpt != nil {
				f.mockOptions = append(f.mockOptions, tc.mockOpt)
			}
			ctx := tc.ctx
			if ctx == nil {
				ctx = testCtx(t)
			}
			_, _, err = f.connect(ctx, io.Discard)
			if err == nil || tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("err %v, want %v", err, tc.is)
			}
			var stderr bytes.Buffer
			if code := fail(&stderr, "prog", err); code != tc.code || strings.Count(stderr.String(), "\n") != 1 || !strings.HasPrefix(stderr.String(), tc.says) {
				t.Errorf("exit %d, stderr %q; want %d, %q...", code, stderr.String(), tc.code, tc.says)
			}
		})
	}
}

// The peer check cannot be failed for real without a daemon running as
// another user, so its message is checked here.
func TestExplain(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("dial: %w", &client.PeerError{UID: 1234, PID: 99, Allowed: []int{1000, 0}}),
			"the daemon at @x runs as uid 1234 (pid 99), neither our user nor root; if you trust it, pass -daemon-uid 1234"},
		{client.ErrHandshakeTimeout, "the daemon at @x accepted the connection but did not finish the handshake; "},
		{client.ErrProtocol, "cannot use the daemon at @x: client: daemon protocol error"},
	} {
		err := explain("@x", tc.err)
		if !errors.Is(err, tc.err) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("explain(%v) = %q, want it to start %q", tc.err, err, tc.want)
		}
	}
}

func TestParseFlagsAndFail(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		out  string // on stderr, from fail
	}{
		{[]string{"-help"}, exitOK, ""},
		{[]string{"-nonsense"}, exitUsage, ""}, // the flag package reports it
		{[]string{"-daemon-uid", "me"}, exitUsage, ""},
		{[]string{"extra"}, exitUsage, `prog: unexpected arguments ["extra"]: everything is a flag (see prog -help)` + "\n"},
	} {
		_, err := parseDaemonFlags(t, tc.args...)
		if err == nil {
			t.Errorf("%q: no error", tc.args)
			continue
		}
		var stderr bytes.Buffer
		if code := fail(&stderr, "prog", err); code != tc.code || stderr.String() != tc.out {
			t.Errorf("%q: exit %d, stderr %q; want %d, %q", tc.args, code, stderr.String(), tc.code, tc.out)
		}
	}
	var stderr bytes.Buffer
	if code := fail(&stderr, "prog", errors.New("first\n  second\n")); code != exitFailure || stderr.String() != "prog: first; second\n" {
		t.Errorf("multi-line: %d %q", code, stderr.String())
	}
}

func TestSetUsage(t *testing.T) {
	fs := flag.NewFlagSet("prog", flag.ContinueOnError)
	var out bytes.Buffer
	fs.SetOutput(&out)
	addDaemonFlags(fs, 99)
	setUsage(fs, "prog [flags]", "\nDoes things.\n")
	if err := parseFlags(fs, []string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatal(err)
	}
	for _, want := range []string{"Usage: prog [flags]\n\nDoes things.\n\nFlags:\n", "-daemon address", "-mock\n", "-mock-generation int", "(default 99)", "-daemon-uid uid", "-config file"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, out.String())
		}
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
	f, err := parseDaemonFlags(t, "-config", writeConfig(t, d.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	c, closeAll, err := f.connect(testCtx(t), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	if c.Document().Epoch != d.Document().Epoch || f.dialled != d.Addr() {
		t.Errorf("dialled %q, not the mock at %q", f.dialled, d.Addr())
	}
}

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
		code int
		says string
	}{
		{[]string{"-config", bad, "-mock"}, nil, exitUsage,
			"prog: -config and -mock exclude each other: the file names a daemon, -mock starts one (see prog -help)\n"},
		{[]string{"-daemon", "@katzenpost", "-config", bad}, nil, exitUsage,
			"prog: -config and -daemon exclude each other: both name the daemon (see prog -help)\n"},
		{[]string{"-config", missing}, fs.ErrNotExist, exitFailure, "prog: transport: " + missing + ": "},
		{[]string{"-config", bad}, transport.ErrConfig, exitFailure, "prog: transport: " + bad + ": "},
	} {
		f, err := parseDaemonFlags(t, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = f.connect(testCtx(t), io.Discard)
		if err == nil || tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%q: err %v, want %v", tc.args, err, tc.is)
			continue
		}
		var stderr bytes.Buffer
		if code := fail(&stderr, "prog", err); code != tc.code || !strings.HasPrefix(stderr.String(), tc.says) {
			t.Errorf("%q: exit %d, stderr %q; want %d, %q", tc.args, code, stderr.String(), tc.code, tc.says)
		}
	}
}
