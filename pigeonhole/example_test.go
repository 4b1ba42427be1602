package pigeonhole_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log"
	"net"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/wire"
)

// startExampleMock serves a v0.0.99 mock daemon for the examples; a real
// program dials kpclientd with client.Dial(ctx) instead.
func startExampleMock() (*mock.Daemon, func()) {
	var name [8]byte
	rand.Read(name[:])
	l, err := net.Listen("unix", "@katzenthin-example-"+hex.EncodeToString(name[:]))
	if err != nil {
		log.Fatal(err)
	}
	d := mock.New(mock.WithGeneration(wire.Generation99))
	done := make(chan struct{})
	go func() {
		d.Serve(l)
		close(done)
	}()
	return d, func() {
		d.Close()
		<-done
	}
}

// Alice writes two messages into a stream; Bob, who holds only the read
// cap, reads them in order.
func Example() {
	d, stop := startExampleMock()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.Dial(ctx, client.WithDialer(d.Dialer()))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	p := pigeonhole.New(c)

	// Alice makes a stream from a secret seed and keeps its write cap.
	seed := make([]byte, pigeonhole.SeedSize)
	rand.Read(seed)
	writeCap, readCap, _, err := p.NewKeypair(ctx, seed)
	if err != nil {
		log.Fatal(err)
	}
	alice := p.NewWriter(writeCap)
	for _, msg := range []string{"hello Bob", "see you at noon"} {
		if err := alice.Write(ctx, []byte(msg)); err != nil {
			log.Fatal(err)
		}
	}

	// Bob got readCap out of band; Read waits for a box not written yet.
	bob := p.NewReader(readCap)
	for range 2 {
		msg, err := bob.Read(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("Bob read %q\n", msg)
	}
	// A persisted state prints no secret.
	fmt.Println(bob.State().Cap)
	// Output:
	// Bob read "hello Bob"
	// Bob read "see you at noon"
	// pigeonhole.ReadCap(redacted)
}

// The calls under the helpers: encrypt a box, then write it; a read
// that must not wait reports ErrBoxNotFound.
func ExampleClient_Write() {
	d, stop := startExampleMock()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.Dial(ctx, client.WithDialer(d.Dialer()))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	p := pigeonhole.New(c)

	seed := make([]byte, pigeonhole.SeedSize)
	rand.Read(seed)
	w, r, first, err := p.NewKeypair(ctx, seed)
	if err != nil {
		log.Fatal(err)
	}
	env, err := p.EncryptWrite(ctx, &w, &first, []byte("one box"))
	if err != nil {
		log.Fatal(err)
	}
	if err := p.Write(ctx, &w, env); err != nil {
		log.Fatal(err)
	}
	read, err := p.EncryptRead(ctx, &r, &first)
	if err != nil {
		log.Fatal(err)
	}
	msg, err := p.Read(ctx, &r, &first, read)
	fmt.Printf("%q %v\n", msg, err)

	next := env.Next // the box after the one written: empty
	read, err = p.EncryptRead(ctx, &r, &next)
	if err != nil {
		log.Fatal(err)
	}
	_, err = p.TryRead(ctx, &r, &next, read)
	fmt.Println(err)
	// Output:
	// "one box" <nil>
	// pigeonhole: read: replica error 1 (box not found)
}

// A waiting read encrypts itself again on a schedule, so that a write
// that comes minutes later is seen (the courier stops asking about one
// envelope after about 20 s). Each refresh costs the daemon an
// encryption: an application whose writes come rarely can refresh less
// often, and export the count.
func ExampleWithReadRefresh() {
	var c *client.Client // from client.Dial
	p := pigeonhole.New(c, pigeonhole.WithReadRefresh(30*time.Second, 4*time.Minute))
	// ... p.Read, Reader.Read ...
	fmt.Println("read refreshes:", p.Stats().ReadRefreshes)
}
