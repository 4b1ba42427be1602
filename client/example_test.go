package client_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
)

// exampleDaemon starts a mock daemon for the examples (tests use
// mock.Start). Point client.WithDialer at a real kpclientd instead, or
// leave it out for the default @katzenpost.
func exampleDaemon() (*mock.Daemon, func()) {
	var b [8]byte
	rand.Read(b[:])
	l, err := net.Listen("unix", "@katzenthin-example-"+hex.EncodeToString(b[:]))
	if err != nil {
		log.Fatal(err)
	}
	d := mock.New()
	done := make(chan struct{})
	go func() { d.Serve(l); close(done) }()
	return d, func() { d.Close(); <-done }
}

func ExampleDial() {
	daemon, stop := exampleDaemon()
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.WithDialer(daemon.Dialer()))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	fmt.Println("daemon:", c.Daemon().Generation)
	fmt.Println("mix layers:", len(c.Document().Topology))
	echo, err := c.Service("echo")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("echo queue: %s\n", echo.Queue)
	// Output:
	// daemon: v0.0.47
	// mix layers: 3
	// echo queue: +echo
}

func ExampleClient_Send() {
	daemon, stop := exampleDaemon()
	defer stop()
	c, err := client.Dial(context.Background(), client.WithDialer(daemon.Dialer()))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	echo, err := c.Service("echo")
	if err != nil {
		log.Fatal(err)
	}

	// The mixnet may lose a packet silently: always bound a call.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	reply, err := c.Send(ctx, echo.Destination(), []byte("hello mixnet"))
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Println("no reply in time: the packet was lost")
	case errors.Is(err, client.ErrOffline):
		fmt.Println("the daemon is not connected to the mixnet")
	case err != nil:
		log.Fatal(err)
	default:
		// Replies fill the whole SURB payload, zero-padded.
		fmt.Printf("%s (%d bytes)\n", bytes.TrimRight(reply.Payload, "\x00"), len(reply.Payload))
	}
	// Output:
	// hello mixnet (2574 bytes)
}

func ExampleClient_Subscribe() {
	daemon, stop := exampleDaemon()
	defer stop()
	c, err := client.Dial(context.Background(), client.WithDialer(daemon.Dialer()))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	events, cancel := c.Subscribe()
	defer cancel()

	echo, _ := c.Service("echo")
	if _, err := c.Send(context.Background(), echo.Destination(), []byte("watched")); err != nil {
		log.Fatal(err)
	}
	// The subscription starts with the current state, then live events.
	for range 4 {
		switch ev := (<-events).(type) {
		case *client.ConnectionStatus:
			fmt.Println("connected to the mixnet:", ev.Connected)
		case *client.NewDocument:
			fmt.Println("document with", len(ev.Document.Topology), "mix layers")
		case *client.MessageSent:
			fmt.Println("sent, reply expected within", ev.ETA)
		case *client.MessageReply:
			fmt.Printf("reply of %d bytes\n", len(ev.Payload))
		}
	}
	// Output:
	// connected to the mixnet: true
	// document with 3 mix layers
	// sent, reply expected within 100ms
	// reply of 2574 bytes
}
