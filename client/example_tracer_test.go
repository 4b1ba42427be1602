package client_test

import (
	"context"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/katzenthin/katzenthin/client"
)

// counter is a Tracer that counts calls by kind and outcome.
type counter struct {
	mu    sync.Mutex
	calls map[string]int
}

func (t *counter) CallStart(ctx context.Context, _ client.CallInfo) context.Context { return ctx }

func (t *counter) CallEnd(_ context.Context, info client.CallInfo, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.calls[info.Kind.String()+" "+client.Outcome(err)]++
}

func (t *counter) ConnectionLost(error)             {}
func (t *counter) Reconnected(client.ReconnectInfo) {}

// A Tracer sees every call: feed your metrics from it.
func ExampleWithTracer() {
	daemon, stop := exampleDaemon()
	defer stop()

	tracer := &counter{calls: map[string]int{}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.WithDialer(daemon.Dialer()), client.WithTracer(tracer))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	echo, _ := c.Service("echo")
	for range 3 {
		if _, err := c.Send(ctx, echo.Destination(), []byte("hi")); err != nil {
			log.Fatal(err)
		}
	}
	c.Send(ctx, echo.Destination(), make([]byte, 1<<20)) // over the payload limit

	tracer.mu.Lock()
	defer tracer.mu.Unlock()
	fmt.Println(tracer.calls["Send ok"], "ok,", tracer.calls["Send invalid_request"], "invalid")
	// Output: 3 ok, 1 invalid
}
