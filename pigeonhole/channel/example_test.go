package channel_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/pigeonhole/channel"
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

// Alice sends through a durable write channel; Bob receives through a
// durable read channel, acknowledging each message once he is done with
// it.
func Example() {
	d, stop := startExampleMock()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "channel-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// Two daemon connections, so that the daemon encrypts two at once.
	var clients []*pigeonhole.Client
	for range 2 {
		c, err := client.Dial(ctx, client.WithDialer(d.Dialer()))
		if err != nil {
			log.Fatal(err)
		}
		defer c.Close()
		clients = append(clients, pigeonhole.New(c))
	}
	db, err := channel.Open(filepath.Join(dir, "channels.db"), channel.WithClients(clients...))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	alice, err := db.CreateWriter(ctx, "to-bob")
	if err != nil {
		log.Fatal(err)
	}
	for _, msg := range []string{"hello Bob", "see you at noon"} {
		if err := alice.Send(ctx, []byte(msg)); err != nil {
			log.Fatal(err)
		}
	}

	// Bob got the read cap and start index out of band.
	bob, err := db.ImportReader(ctx, "from-alice", alice.ReadCap(), alice.Start())
	if err != nil {
		log.Fatal(err)
	}
	for range 2 {
		m, err := bob.Receive(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("Bob got %d: %q\n", m.Seq, m.Data)
		if err := bob.Ack(ctx, m.Seq); err != nil {
			log.Fatal(err)
		}
	}
	infos, err := db.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, in := range infos {
		fmt.Printf("%s: a %v channel, %d pending\n", in.Name, in.Kind, in.Pending)
	}
	fmt.Println(alice.State().WriteCap) // secrets never print
	// Output:
	// Bob got 1: "hello Bob"
	// Bob got 2: "see you at noon"
	// from-alice: a read channel, 0 pending
	// to-bob: a write channel, 0 pending
	// pigeonhole.WriteCap(redacted)
}
