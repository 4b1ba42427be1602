package mock_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

func TestCloseSendsShutdown(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		d := mock.New(mock.WithGeneration(gen))
		l, err := net.Listen("unix", "@katzenthin-mock-test-close-"+gen.String()+fmt.Sprint(time.Now().UnixNano()))
		if err != nil {
			t.Fatal(err)
		}
		served := make(chan error, 1)
		go func() { served <- d.Serve(l) }()
		e := &env{t: t, d: d, gen: gen}
		clients := []*client{e.connect(nil), e.connect(nil)}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		for _, c := range clients {
			raw := c.nextRaw()
			key := "shudown_event" // sic, v0.0.47
			if gen == wire.Generation99 {
				key = "shutdown_event"
			}
			if v := topLevel(t, raw)[key]; !bytes.Equal(v, []byte{0xa0}) {
				t.Fatalf("%s = %x, want {}", key, v)
			}
			c.expectEOF()
		}
		if err := <-served; err != nil {
			t.Fatalf("Serve after Close: %v", err)
		}
		if err := d.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if err := d.Serve(l); !errors.Is(err, mock.ErrClosed) {
			t.Fatalf("Serve after Close: %v, want ErrClosed", err)
		}
	})
}

func TestListeners(t *testing.T) {
	for name, listen := range map[string]func() (net.Listener, error){
		"path": func() (net.Listener, error) { return net.Listen("unix", filepath.Join(t.TempDir(), "kp.sock")) },
		"tcp":  func() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") },
	} {
		t.Run(name, func(t *testing.T) {
			l, err := listen()
			if err != nil {
				t.Skip(err)
			}
			d := mock.New()
			served := make(chan error, 1)
			go func() { served <- d.Serve(l) }()
			defer func() {
				d.Close()
				if err := <-served; err != nil {
					t.Error(err)
				}
			}()
			e := &env{t: t, d: d, gen: wire.Generation47}
			// Serve sets Addr when it starts, asynchronously here: dial
			// the listener first; once it answers, Addr is set.
			c, err := net.Dial(l.Addr().Network(), l.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			cl := &client{e: e, t: t, conn: c, r: wire.NewReader(c, 0)}
			cl.handshake()
			addr := d.Addr()
			if name == "tcp" && addr != "tcp:"+l.Addr().String() || name == "path" && addr != l.Addr().String() {
				t.Fatalf("Addr() = %q for %s", addr, l.Addr())
			}
			cl2 := e.dial() // through Dialer()
			cl2.handshake()
		})
	}
}

func TestWaitRequests(t *testing.T) {
	e := start(t, wire.Generation47)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.d.WaitRequests(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitRequests with a cancelled context: %v", err)
	}
	if err := e.d.WaitRequests(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	c := e.connect(nil)
	done := make(chan error, 1)
	go func() { done <- e.d.WaitRequests(context.Background(), 2) }()
	c.write((&wire.Request{IsLoopDecoy: true}).AppendFrame(nil))
	c.write((&wire.Request{IsDropDecoy: true}).AppendFrame(nil))
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	d := mock.New()
	go func() { done <- d.WaitRequests(context.Background(), 1) }()
	d.Close()
	if err := <-done; !errors.Is(err, mock.ErrClosed) {
		t.Fatalf("WaitRequests on a closed daemon: %v", err)
	}
}

func TestInvalidOptions(t *testing.T) {
	for name, opt := range map[string]mock.Option{
		"loss":        mock.WithLoss(1.5),
		"latency":     mock.WithLatency(-1),
		"max payload": mock.WithMaxPayload(-1),
		"reply size":  mock.WithReplySize(-1),
		"arq":         mock.WithARQTiming(-1, 0),
		"generation":  mock.WithGeneration(wire.Generation(9)),
		"grace":       mock.WithGracePeriod(-1),
		"capability":  mock.WithService("this-capability-name-is-too-long", nil),
		"document":    mock.WithDocument(&pki.Document{ServiceNodes: []*pki.MixDescriptor{nil}}),
		"reasks":      mock.WithCourierCache(-1, 0),
		"cache ttl":   mock.WithCourierCache(1, -1),
		"retransmit":  mock.WithPigeonholeRetransmit(-1),
	} {
		t.Run(name, func(t *testing.T) {
			d := mock.New(opt)
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Skip(err)
			}
			if err := d.Serve(l); !errors.Is(err, mock.ErrInvalidOption) {
				t.Fatalf("Serve: %v, want ErrInvalidOption", err)
			}
			d.Close()
		})
	}
}

// TestDialerFailsFastOnBadOption: a daemon with a bad option never
// serves; its dialer says why instead of waiting for Serve.
func TestDialerFailsFastOnBadOption(t *testing.T) {
	d := mock.New(mock.WithLoss(2))
	defer d.Close()
	if _, err := d.Dialer().Dial(context.Background()); !errors.Is(err, mock.ErrInvalidOption) {
		t.Fatalf("Dial = %v, want ErrInvalidOption", err)
	}
}
