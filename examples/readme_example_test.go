package examples_test

// The code of README.md's Go snippets. readme_test.go checks that every
// ```go block of README.md appears here, line for line, so each one
// compiles, and the examples and tests below run it.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// hello is README.md's first snippet: dial, find the echo service, send
// with a deadline, and tell the failures apart.
func hello(ctx context.Context, opts ...client.Option) error {
	c, err := client.Dial(ctx, opts...) // the daemon at @katzenpost unless an option says otherwise
	if err != nil {
		return err // errors.Is(err, transport.ErrDaemonNotRunning) when nothing listens there
	}
	defer c.Close()

	echo, err := c.Service("echo") // a random one of the nodes that offer it
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	reply, err := c.Send(ctx, echo.Destination(), []byte("hello"))
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return errors.New("no reply within a minute: the mixnet loses packets, try again")
	case errors.Is(err, client.ErrOffline):
		return errors.New("the daemon is not connected to the mixnet")
	case err != nil:
		return err
	}
	fmt.Printf("%s\n", bytes.TrimRight(reply.Payload, "\x00")) // replies come zero-padded
	return nil
}

// dial is README.md's snippet for a daemon elsewhere than @katzenpost.
func dial(ctx context.Context, address string) (*client.Client, error) {
	d, err := transport.Parse(address) // "@katzenpost", "/run/kp.sock", "tcp:127.0.0.1:64331", ...
	if err != nil {
		return nil, err
	}
	return client.Dial(ctx, client.WithDialer(d))
}

// store and load are README.md's Pigeonhole snippet: Alice stores, Bob
// loads.
func store(ctx context.Context, c *client.Client, seed []byte, msg []byte) (pigeonhole.ReaderState, error) {
	p := pigeonhole.New(c)
	writeCap, readCap, _, err := p.NewKeypair(ctx, seed) // seed: 32 secret random bytes; the same seed, the same stream
	if err != nil {
		return pigeonhole.ReaderState{}, err // errors.Is(err, client.ErrUnsupported) on a v0.0.47 daemon
	}
	if err := p.NewWriter(writeCap).Write(ctx, msg); err != nil {
		return pigeonhole.ReaderState{}, err
	}
	return p.NewReader(readCap).State(), nil // hand it to the reader; it marshals to text and binary
}

func load(ctx context.Context, c *client.Client, st pigeonhole.ReaderState) ([]byte, error) {
	r := pigeonhole.New(c).ResumeReader(st)
	msg, err := r.Read(ctx) // waits for a box not written yet; TryRead reports pigeonhole.ErrBoxNotFound instead
	if errors.Is(err, pigeonhole.ErrTombstone) {
		return nil, errors.New("the writer deleted it")
	}
	return msg, err
}

// TestHello is README.md's snippet on testing an application with the mock.
func TestHello(t *testing.T) {
	d := mock.Start(t) // a kpclientd v0.0.47 on a fresh socket, closed when the test ends
	if err := hello(t.Context(), client.WithDialer(d.Dialer())); err != nil {
		t.Fatal(err)
	}
	if v := d.Violations(); len(v) > 0 {
		t.Fatalf("these requests would have crashed a real daemon: %v", v)
	}
}

// startMock serves a mock daemon on a fresh abstract socket, as mock.Start
// does for tests, for the examples below, which have no testing.T. It
// returns the daemon, its address and the function that stops it.
func startMock(opts ...mock.Option) (d *mock.Daemon, addr string, stop func()) {
	var b [8]byte
	rand.Read(b[:])
	addr = "@katzenthin-readme-" + hex.EncodeToString(b[:])
	l, err := net.Listen("unix", addr)
	if err != nil {
		log.Fatal(err)
	}
	d = mock.New(opts...)
	served := make(chan error, 1)
	go func() { served <- d.Serve(l) }()
	return d, addr, func() {
		d.Close()
		if err := <-served; err != nil {
			log.Fatal(err)
		}
	}
}

// hello against the mock daemon.
func Example() {
	d, _, stop := startMock()
	defer stop()

	if err := hello(context.Background(), client.WithDialer(d.Dialer())); err != nil {
		log.Fatal(err)
	}
	// Output: hello
}

// dial reaches the daemon at an address in any of transport.Parse's forms.
func Example_dial() {
	_, addr, stop := startMock()
	defer stop()

	c, err := dial(context.Background(), addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println("connected to kpclientd", c.Daemon().Generation)

	_, err = dial(context.Background(), "/nonexistent/kpclientd.sock")
	fmt.Println(errors.Is(err, transport.ErrDaemonNotRunning))
	// Output:
	// connected to kpclientd v0.0.47
	// true
}

// store and load against a v0.0.99 mock daemon, the reader's state
// passed as text.
func Example_pigeonhole() {
	d, _, stop := startMock(mock.WithGeneration(wire.Generation99))
	defer stop()
	ctx := context.Background()
	c, err := client.Dial(ctx, client.WithDialer(d.Dialer()))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	seed := make([]byte, 32)
	rand.Read(seed)
	st, err := store(ctx, c, seed, []byte("hello, box"))
	if err != nil {
		log.Fatal(err)
	}
	text, _ := st.MarshalText()
	var bobState pigeonhole.ReaderState
	if err := bobState.UnmarshalText(text); err != nil {
		log.Fatal(err)
	}
	msg, err := load(ctx, c, bobState)
	fmt.Printf("%s %v\n", msg, err)
	// Output: hello, box <nil>
}
