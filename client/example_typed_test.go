package client_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/katzenthin/katzenthin/client"
)

// Call speaks CBOR to a service and decodes the first CBOR item of its
// padded reply: no zeros to strip by hand.
func ExampleCall() {
	daemon, stop := exampleDaemon()
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.WithDialer(daemon.Dialer()))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	echo, err := c.Service("echo")
	if err != nil {
		log.Fatal(err)
	}
	reply, err := client.Call[string](ctx, c, echo.Destination(), "hello")
	if err != nil {
		log.Fatal(err) // errors.Is(err, client.ErrBadReply) when the reply is not a string
	}
	fmt.Println(reply)
	// Output: hello
}
