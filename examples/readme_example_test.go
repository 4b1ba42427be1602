package examples_test

// The code of README.md's Go snippets. readme_test.go checks that every
// ```go block of README.md appears here, line for line, so each one
// compiles, and the examples and tests below run it.

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/pigeonhole/channel"
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
	reply, err := client.Call[string](ctx, c, echo.Destination(), "hello") // CBOR in, CBOR out
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return errors.New("no reply within a minute: the mixnet loses packets, try again")
	case errors.Is(err, client.ErrOffline):
		return errors.New("the daemon is not connected to the mixnet")
	case err != nil:
		return err
	}
	fmt.Println(reply) // the first CBOR item of the zero-padded reply
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

// devDaemon is README.md's snippet on the mock outside tests.
func devDaemon(addr string) (*mock.Daemon, error) {
	d, addr, err := mock.Listen(addr, mock.WithLatency(500*time.Millisecond)) // "" picks a fresh address
	if err != nil {
		return nil, err // a bad address or option, or the address is taken
	}
	log.Printf("a mock kpclientd listens at %s", addr)
	return d, nil // d.Close() returns the error that stopped it serving, if any
}

// startMock serves a mock daemon on a fresh address, as mock.Start does
// for tests, for the examples below, which have no testing.T. It returns
// the daemon, its address and the function that stops it.
func startMock(opts ...mock.Option) (d *mock.Daemon, addr string, stop func()) {
	d, addr, err := mock.Listen("", opts...)
	if err != nil {
		log.Fatal(err)
	}
	return d, addr, func() {
		if err := d.Close(); err != nil {
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

// devDaemon serves a mock that a program under development can dial.
func Example_devDaemon() {
	log.SetOutput(io.Discard) // the example's output is checked; the log line is not
	defer log.SetOutput(os.Stderr)
	d, err := devDaemon("")
	if err != nil {
		log.Fatal(err)
	}
	c, err := dial(context.Background(), d.Addr())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("connected:", c.Connected())
	c.Close()
	fmt.Println("closed:", d.Close())
	// Output:
	// connected: true
	// closed: <nil>
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

// sendDurable and receiveDurable are README.md's durable-channel snippet.
func sendDurable(ctx context.Context, path string, conns []*pigeonhole.Client, msgs [][]byte) error {
	db, err := channel.Open(path, channel.WithClients(conns...), channel.WithWindow(16)) // a few connections
	if err != nil {
		return err // channel.ErrLocked: another process has the file; channel.ErrCorrupt: not a channel store
	}
	defer db.Close()
	w, err := db.Writer(ctx, "to-bob") // made once with db.CreateWriter or db.ImportWriter
	if err != nil {
		return err
	}
	// After a crash, the messages before NextSeq are committed and will arrive.
	var writes []*channel.Write
	for _, m := range msgs[w.NextSeq()-1:] {
		op, err := w.Submit(ctx, m) // up to 16 in flight, each at its own box
		if err != nil {
			return err
		}
		writes = append(writes, op)
	}
	for _, op := range writes {
		if err := op.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

func receiveDurable(ctx context.Context, db *channel.DB, handle func([]byte) error) error {
	r, err := db.Reader(ctx, "from-alice") // made once with db.ImportReader(ctx, name, readCap, start)
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		m, err := r.Receive(ctx) // committed to the store before it returns
		if err != nil {
			return err // errors.Is(err, pigeonhole.ErrTombstone): the writer deleted this box
		}
		if err := handle(m.Data); err != nil {
			return err // not acknowledged: handed out again, same m.Seq, after a restart
		}
		if err := r.Ack(ctx, m.Seq); err != nil {
			return err
		}
	}
}

// errEnough stops receiveDurable in the example below.
var errEnough = errors.New("enough")

// sendDurable and receiveDurable against a v0.0.99 mock daemon, over two
// connections.
func Example_durableChannels() {
	d, _, stop := startMock(mock.WithGeneration(wire.Generation99))
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "readme-channels-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "channels.db")
	var conns []*pigeonhole.Client
	for range 2 {
		c, err := client.Dial(ctx, client.WithDialer(d.Dialer()))
		if err != nil {
			log.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, pigeonhole.New(c))
	}

	// The channels, made once.
	db, err := channel.Open(path, channel.WithClients(conns...))
	if err != nil {
		log.Fatal(err)
	}
	w, err := db.CreateWriter(ctx, "to-bob")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := db.ImportReader(ctx, "from-alice", w.ReadCap(), w.Start()); err != nil {
		log.Fatal(err)
	}
	db.Close()

	msgs := [][]byte{[]byte("one"), []byte("two"), []byte("three")}
	if err := sendDurable(ctx, path, conns, msgs); err != nil {
		log.Fatal(err)
	}
	db, err = channel.Open(path, channel.WithClients(conns...))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	n := 0
	err = receiveDurable(ctx, db, func(msg []byte) error {
		fmt.Printf("%s\n", msg)
		if n++; n == len(msgs) {
			return errEnough
		}
		return nil
	})
	fmt.Println(err)
	// Output:
	// one
	// two
	// three
	// enough
}
