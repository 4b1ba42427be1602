package integration

import (
	"context"
	"crypto/rand"
	"os"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// The suite's settings, from the environment.
const (
	envDaemon       = "KATZENTHIN_TEST_DAEMON"        // the daemon's address (transport.Parse); unset: skip
	envWait         = "KATZENTHIN_TEST_WAIT"          // how much later the late write comes (default 60s)
	envStepTimeout  = "KATZENTHIN_TEST_STEP_TIMEOUT"  // each step's deadline (default 10m)
	envReadDeadline = "KATZENTHIN_TEST_READ_DEADLINE" // the deadline of the read that must end (default 30s)
	envEcho         = "KATZENTHIN_TEST_ECHO"          // the echo service's capability (default "echo")
)

type settings struct {
	addr         string
	wait         time.Duration
	stepTimeout  time.Duration
	readDeadline time.Duration
	echo         string
}

// load reads the settings, skipping the test when no daemon is named.
func load(t *testing.T) settings {
	t.Helper()
	s := settings{addr: os.Getenv(envDaemon), echo: os.Getenv(envEcho)}
	if s.addr == "" {
		t.Skipf("%s is not set: no daemon to test against (see docs/real-daemon.md)", envDaemon)
	}
	if s.echo == "" {
		s.echo = "echo"
	}
	s.wait = duration(t, envWait, 60*time.Second)
	s.stepTimeout = duration(t, envStepTimeout, 10*time.Minute)
	s.readDeadline = duration(t, envReadDeadline, 30*time.Second)
	return s
}

func duration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a positive duration such as 60s", name, v)
	}
	return d
}

// dial connects a new client to the daemon.
func dial(t *testing.T, s settings) *client.Client {
	t.Helper()
	d, err := transport.Parse(s.addr)
	if err != nil {
		t.Fatalf("%s=%q: %v", envDaemon, s.addr, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.Dial(ctx, client.WithDialer(d))
	if err != nil {
		t.Fatalf("Dial %s: %v", s.addr, err)
	}
	t.Cleanup(func() { c.Close() })
	t.Logf("connected to a %s daemon at %s", c.Daemon().Generation, s.addr)
	return c
}

// step runs one step with the step deadline and logs its time; an error
// fails the test.
func step(t *testing.T, s settings, name string, f func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), s.stepTimeout)
	defer cancel()
	began := time.Now()
	err := f(ctx)
	took := time.Since(began).Round(time.Millisecond)
	if err != nil {
		t.Fatalf("step %q failed after %v: %v", name, took, err)
	}
	t.Logf("step %q: %v", name, took)
}

// pigeonholeClient dials and returns the Pigeonhole calls, skipping the
// test on a daemon without Pigeonhole.
func pigeonholeClient(t *testing.T, s settings, opts ...pigeonhole.Option) (*pigeonhole.Client, *client.Client) {
	t.Helper()
	c := dial(t, s)
	if c.Daemon().Generation != wire.Generation99 {
		t.Skipf("a %s daemon has no Pigeonhole (TestPigeonholeNeedsV99 covers it)", c.Daemon().Generation)
	}
	return pigeonhole.New(c, opts...), c
}

// newStream makes a fresh stream.
func newStream(t *testing.T, s settings, p *pigeonhole.Client) (pigeonhole.WriteCap, pigeonhole.ReadCap) {
	t.Helper()
	var w pigeonhole.WriteCap
	var r pigeonhole.ReadCap
	step(t, s, "NewKeypair", func(ctx context.Context) error {
		seed := make([]byte, pigeonhole.SeedSize)
		rand.Read(seed)
		var err error
		w, r, _, err = p.NewKeypair(ctx, seed)
		return err
	})
	return w, r
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
