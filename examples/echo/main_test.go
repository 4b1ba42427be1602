package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/katzenthin/katzenthin/daemonflag"
	"github.com/katzenthin/katzenthin/mock"
)

// The os/signal package's own goroutine stays once daemonflag.Interrupts has called
// signal.Notify; everything else must be gone.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("os/signal.signal_recv"))
}

// result is what a run printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// echo runs the program to its end.
func echo(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(testCtx(t), args, &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// testCtx bounds a test that should finish quickly.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// startMock starts a mock daemon for the test and checks, at the end,
// that nothing the program sent would have crashed a real one.
func startMock(t *testing.T, opts ...mock.Option) *mock.Daemon {
	d := mock.Start(t, opts...)
	t.Cleanup(func() {
		if v := d.Violations(); len(v) > 0 {
			t.Errorf("requests that crash a real daemon: %v", v)
		}
	})
	return d
}

var (
	replyLine   = regexp.MustCompile(`^2574 bytes from servicenode1: seq=(\d+) time=\d+\.\d{3} ms eta=100ms$`)
	summaryLine = regexp.MustCompile(`^(\d+) sent, (\d+) received, (\d+) lost \(([\d.]+)% loss\)(, (\d+) errors?)?, time \S+$`)
	rttLine     = regexp.MustCompile(`^rtt min/avg/max/stddev = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms$`)
)

// stats is the summary a run printed.
type stats struct{ sent, received, lost, errors int }

// check parses the output of a run: the header, a line per ping, the
// summary. It returns the sequence numbers answered and the summary.
func (r result) check(t *testing.T) (answered []int, s stats) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "PING echo on servicenode1 (queue \"+echo\") through kpclientd v0.0.") {
		t.Fatalf("no header:\n%s", r.stdout)
	}
	i := slices.Index(lines, "--- echo ping statistics ---")
	if i < 0 || i+1 >= len(lines) {
		t.Fatalf("no summary:\n%s", r.stdout)
	}
	for _, l := range lines[1:i] {
		if m := replyLine.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			answered = append(answered, n)
		}
	}
	m := summaryLine.FindStringSubmatch(lines[i+1])
	if m == nil {
		t.Fatalf("bad summary %q", lines[i+1])
	}
	s.sent, _ = strconv.Atoi(m[1])
	s.received, _ = strconv.Atoi(m[2])
	s.lost, _ = strconv.Atoi(m[3])
	s.errors, _ = strconv.Atoi(m[6])
	rest := lines[i+2:]
	if s.received > 0 && (len(rest) != 1 || !rttLine.MatchString(rest[0])) {
		t.Errorf("want one rtt line after the summary, got %q", rest)
	}
	if s.received == 0 && len(rest) != 0 {
		t.Errorf("no replies, yet %q", rest)
	}
	slices.Sort(answered)
	return answered, s
}

// seqs returns 1..n.
func seqs(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i + 1
	}
	return s
}

// The demo: make demo runs this against the bundled mock.
func TestDemo(t *testing.T) {
	r := echo(t, "-mock", "-count", "5", "-interval", "1ms")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	answered, s := r.check(t)
	if !slices.Equal(answered, seqs(5)) || s != (stats{5, 5, 0, 0}) {
		t.Errorf("answered %v, summary %+v\n%s", answered, s, r.stdout)
	}
	if !strings.Contains(r.stdout, "5 sent, 5 received, 0 lost (0% loss), time ") {
		t.Errorf("summary:\n%s", r.stdout)
	}
	if !regexp.MustCompile(`^using the bundled mock daemon at @katzenthin-mock-[0-9a-f]+ \(kpclientd v0\.0\.47 protocol\)\n$`).MatchString(r.stderr) {
		t.Errorf("stderr %q", r.stderr)
	}
}

// Both generations, with Send and with SendReliable.
func TestGenerations(t *testing.T) {
	for _, gen := range []string{"47", "99"} {
		for _, reliable := range []bool{false, true} {
			t.Run(fmt.Sprintf("v0.0.%s/reliable=%v", gen, reliable), func(t *testing.T) {
				args := []string{"-mock", "-mock-generation", gen, "-count", "3", "-interval", "0", "-size", "2000"}
				if reliable {
					args = append(args, "-reliable")
				}
				r := echo(t, args...)
				if r.code != 0 {
					t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
				}
				if !strings.Contains(r.stdout, "through kpclientd v0.0."+gen+": 2000 bytes per ping\n") {
					t.Errorf("header:\n%s", r.stdout)
				}
				answered, s := r.check(t)
				if !slices.Equal(answered, seqs(3)) || s != (stats{3, 3, 0, 0}) {
					t.Errorf("answered %v, summary %+v\n%s", answered, s, r.stdout)
				}
			})
		}
	}
}

// Every reply lost: each ping times out, the summary says so, and the
// exit status is 1.
func TestLoss(t *testing.T) {
	r := echo(t, "-mock", "-mock-loss", "1", "-count", "3", "-interval", "0", "-concurrency", "3", "-timeout", "100ms")
	if r.code != daemonflag.ExitFailure {
		t.Errorf("exit %d, want %d", r.code, daemonflag.ExitFailure)
	}
	answered, s := r.check(t)
	if len(answered) != 0 || s != (stats{3, 0, 3, 0}) {
		t.Errorf("answered %v, summary %+v\n%s", answered, s, r.stdout)
	}
	if strings.Count(r.stdout, ": no reply within 100ms\n") != 3 || !strings.Contains(r.stdout, "3 lost (100% loss)") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
}

// A reliable send whose every transmission is lost ends when the
// daemon's retransmissions run out (on the mock's short ARQ clock).
func TestLossReliable(t *testing.T) {
	r := echo(t, "-mock", "-mock-loss", "1", "-reliable", "-count", "2", "-interval", "0", "-concurrency", "2")
	if r.code != daemonflag.ExitFailure {
		t.Errorf("exit %d, want %d", r.code, daemonflag.ExitFailure)
	}
	if _, s := r.check(t); s != (stats{2, 0, 2, 0}) || strings.Count(r.stdout, ": no reply: retransmissions exhausted\n") != 2 {
		t.Errorf("summary %+v\n%s", s, r.stdout)
	}
}

// With -concurrency 4, four pings are in flight at once, and no more.
func TestConcurrency(t *testing.T) {
	d := startMock(t)
	d.HoldReplies()
	done := make(chan result, 1)
	go func() {
		var stdout, stderr bytes.Buffer
		code := run(testCtx(t), []string{"-daemon", d.Addr(), "-count", "8", "-concurrency", "4", "-interval", "0"}, &stdout, &stderr)
		done <- result{code, stdout.String(), stderr.String()}
	}()
	if err := d.WaitRequests(testCtx(t), 4); err != nil {
		t.Fatal(err)
	}
	if n := d.Stats().SURBSends; n != 4 {
		t.Errorf("%d sends in flight, want 4", n)
	}
	d.ReleaseReplies()
	r := <-done
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	answered, s := r.check(t)
	if !slices.Equal(answered, seqs(8)) || s != (stats{8, 8, 0, 0}) {
		t.Errorf("answered %v, summary %+v\n%s", answered, s, r.stdout)
	}
}

// lines is a writer that hands every complete line it gets to a channel,
// so that a test can wait for a message instead of sleeping.
type lines struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	all  strings.Builder
	each chan string
}

func newLines() *lines { return &lines{each: make(chan string, 100)} }

func (w *lines) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.all.Write(p)
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line) // keep the partial line
			return len(p), nil
		}
		w.each <- strings.TrimSuffix(line, "\n")
	}
}

func (w *lines) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.all.String()
}

// waitFor waits for a line that starts with prefix.
func (w *lines) waitFor(t *testing.T, prefix string) string {
	t.Helper()
	ctx := testCtx(t)
	for {
		select {
		case l := <-w.each:
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-ctx.Done():
			t.Fatalf("no line %q in:\n%s", prefix, w.String())
		}
	}
}

// interrupted starts echo with -count count against a daemon that holds
// its replies, waits until two pings are in flight, and acts out the
// first Ctrl-C. It returns the second Ctrl-C and the run's outcome.
func interrupted(t *testing.T, d *mock.Daemon, count string) (secondCtrlC func(), done <-chan result) {
	d.HoldReplies()
	ctx, ctrlC := context.WithCancel(testCtx(t))
	grace, secondCtrlC := context.WithCancel(testCtx(t))
	ctx = daemonflag.WithGrace(ctx, grace)
	stderr := newLines()
	results := make(chan result, 1)
	go func() {
		var stdout bytes.Buffer
		code := run(ctx, []string{"-daemon", d.Addr(), "-count", count, "-concurrency", "2", "-interval", "0"}, &stdout, stderr)
		results <- result{code, stdout.String(), stderr.String()}
	}()
	if err := d.WaitRequests(testCtx(t), 2); err != nil {
		t.Fatal(err)
	}
	ctrlC()
	if l := stderr.waitFor(t, "echo: interrupted"); l != "echo: interrupted: no more pings; waiting up to 30s for 2 replies in flight (Ctrl-C again to stop waiting)" {
		t.Errorf("stderr %q", l)
	}
	return secondCtrlC, results
}

// The first Ctrl-C stops sending; the replies in flight still count.
// With -count 2 both pings are sent before the Ctrl-C: it comes while
// echo waits for the last replies, and changes nothing but the message.
func TestInterrupt(t *testing.T) {
	for _, count := range []string{"0", "2"} {
		t.Run("count="+count, func(t *testing.T) {
			d := startMock(t)
			_, done := interrupted(t, d, count)
			d.ReleaseReplies()
			r := <-done
			if r.code != 0 {
				t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			answered, s := r.check(t)
			if !slices.Equal(answered, seqs(2)) || s != (stats{2, 2, 0, 0}) {
				t.Errorf("answered %v, summary %+v\n%s", answered, s, r.stdout)
			}
		})
	}
}

// The second Ctrl-C stops waiting: the pings in flight count as lost.
func TestSecondInterrupt(t *testing.T) {
	d := startMock(t)
	secondCtrlC, done := interrupted(t, d, "0")
	secondCtrlC()
	r := <-done
	if r.code != daemonflag.ExitFailure {
		t.Errorf("exit %d, want %d", r.code, daemonflag.ExitFailure)
	}
	if _, s := r.check(t); s != (stats{2, 0, 2, 0}) || strings.Count(r.stdout, ": no reply yet; stopped waiting\n") != 2 {
		t.Errorf("summary %+v\n%s", s, r.stdout)
	}
}

// A reply that does not echo the payload is an error.
func TestWrongReply(t *testing.T) {
	d := startMock(t, mock.WithService("echo", func(p []byte) []byte { return []byte("something else") }))
	r := echo(t, "-daemon", d.Addr(), "-count", "2", "-interval", "0")
	if r.code != daemonflag.ExitFailure {
		t.Errorf("exit %d, want %d", r.code, daemonflag.ExitFailure)
	}
	if _, s := r.check(t); s != (stats{2, 0, 0, 2}) ||
		strings.Count(r.stdout, ": wrong reply: its 2574 bytes do not start with the 56 bytes sent\n") != 2 ||
		!strings.Contains(r.stdout, "2 sent, 0 received, 0 lost (0% loss), 2 errors, time ") {
		t.Errorf("summary %+v\n%s", s, r.stdout)
	}
}

// A daemon without a mixnet link: a warning, and every ping fails.
func TestOffline(t *testing.T) {
	d := startMock(t, mock.WithOffline())
	r := echo(t, "-daemon", d.Addr(), "-count", "1")
	if r.code != daemonflag.ExitFailure {
		t.Errorf("exit %d, want %d", r.code, daemonflag.ExitFailure)
	}
	if r.stderr != "echo: the daemon says it has no connection to the mixnet: pings fail until it has one\n" {
		t.Errorf("stderr %q", r.stderr)
	}
	if _, s := r.check(t); s != (stats{1, 0, 0, 1}) || !strings.Contains(r.stdout, "seq=1: client: daemon is not connected to the mixnet\n") {
		t.Errorf("summary %+v\n%s", s, r.stdout)
	}
}

// No daemon at the address: one line that says what to do.
func TestDaemonNotRunning(t *testing.T) {
	var b [8]byte
	rand.Read(b[:])
	addr := "@katzenthin-test-nobody-" + hex.EncodeToString(b[:])
	r := echo(t, "-daemon", addr, "-count", "1")
	if r.code != daemonflag.ExitFailure || r.stdout != "" {
		t.Errorf("exit %d, stdout %q", r.code, r.stdout)
	}
	want := "echo: no daemon is listening at " + addr + ": start kpclientd there (its client.toml sets the address), " +
		"or a stand-in with \"go run ./cmd/mockd -listen " + addr + "\" in the katzenthin repository, " +
		"or pass -mock to use the bundled mock daemon\n"
	if r.stderr != want {
		t.Errorf("stderr\n%q\nwant\n%q", r.stderr, want)
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // on stderr
	}{
		{[]string{"-count", "-1"}, "echo: -count -1: want 0 (until interrupted) or more (see echo -help)\n"},
		{[]string{"-size", "0"}, "echo: -size 0: want 1 or more (see echo -help)\n"},
		{[]string{"-concurrency", "0"}, "echo: -concurrency 0: want 1 or more (see echo -help)\n"},
		{[]string{"-timeout", "0s"}, "echo: -timeout 0s: want more than 0 (see echo -help)\n"},
		{[]string{"-interval", "-1s"}, "echo: -interval -1s: want 0 or more (see echo -help)\n"},
		{[]string{"-mock", "-mock-loss", "1.5"}, "echo: -mock-loss 1.5: want a probability from 0 to 1 (see echo -help)\n"},
		{[]string{"-mock-loss", "0.5"}, "echo: -mock-loss needs -mock (see echo -help)\n"},
		{[]string{"-mock-latency", "1s"}, "echo: -mock-latency needs -mock (see echo -help)\n"},
		{[]string{"-mock", "-mock-generation", "98"}, "echo: -mock-generation 98: want 47 or 99 (see echo -help)\n"},
		{[]string{"-mock", "-size", "2001"}, "echo: -size 2001: over the daemon's payload limit of 2000 bytes (see echo -help)\n"},
		{[]string{"ping"}, "echo: unexpected arguments [\"ping\"]: everything is a flag (see echo -help)\n"},
		{[]string{"-bogus"}, "flag provided but not defined: -bogus\nUsage: echo [flags]\n"},
	} {
		r := echo(t, tc.args...)
		if r.code != daemonflag.ExitUsage || !strings.HasSuffix(r.stderr, tc.want) && !strings.HasPrefix(r.stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr\n%q\nwant %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

func TestNoSuchService(t *testing.T) {
	r := echo(t, "-mock", "-service", "nonesuch")
	if r.code != daemonflag.ExitFailure || !strings.Contains(r.stderr, "\necho: no service node offers \"nonesuch\" (examples/pkidoc lists the services): ") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestHelp(t *testing.T) {
	r := echo(t, "-help")
	if r.code != 0 || r.stdout != "" {
		t.Errorf("exit %d, stdout %q", r.code, r.stdout)
	}
	for _, flag := range []string{"-count n", "-interval", "-size bytes", "-concurrency", "-timeout", "-reliable", "-daemon address", "-config file", "-mock\n", "-mock-generation", "-mock-loss probability", "-mock-latency"} {
		if !strings.Contains(r.stderr, "  "+flag) {
			t.Errorf("-help does not list %q:\n%s", flag, r.stderr)
		}
	}
}

// Any mock option works the same through the command line.
func TestMockLatency(t *testing.T) {
	r := echo(t, "-mock", "-mock-latency", "20ms", "-count", "1")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "eta=20ms\n") {
		t.Errorf("the mock's latency is its reply ETA:\n%s", r.stdout)
	}
}

// -config names the daemon through a thin-client configuration file.
func TestConfig(t *testing.T) {
	d := startMock(t)
	path := filepath.Join(t.TempDir(), "thinclient.toml")
	if err := os.WriteFile(path, []byte("Network = \"unix\"\nAddress = \""+d.Addr()+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := echo(t, "-config", path, "-count", "1", "-interval", "0")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if answered, s := r.check(t); len(answered) != 1 || s != (stats{1, 1, 0, 0}) {
		t.Errorf("answered %v, summary %+v", answered, s)
	}
}
