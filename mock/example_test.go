package mock_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log"
	"net"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

// A raw thin client talks to the mock: handshake, one echo, the reply.
// In tests, mock.Start(t) does the listening and cleanup in one call.
func Example() {
	var name [8]byte
	rand.Read(name[:])
	l, err := net.Listen("unix", "@katzenthin-example-"+hex.EncodeToString(name[:]))
	if err != nil {
		log.Fatal(err)
	}
	d := mock.New()
	go d.Serve(l)
	defer d.Close()

	conn, err := d.Dialer().Dial(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	r := wire.NewReader(conn, 0)
	next := func() *wire.Response {
		body, err := r.ReadFrame()
		if err != nil {
			log.Fatal(err)
		}
		var resp wire.Response
		if err := wire.DecodeResponse(body, &resp); err != nil {
			log.Fatal(err)
		}
		return &resp
	}

	status := next().ConnectionStatus
	doc, err := pki.Parse(next().NewPKIDocument.Payload)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("connected:", status.IsConnected)

	node := doc.ServiceNodes[0]
	queue, _ := node.Endpoint("echo")
	hash := node.IdentityHash()
	surb := wire.NewSURBID()
	req := wire.Request{IsSendOp: true, WithSURB: true, SURBID: &surb,
		DestinationIDHash: hash[:], RecipientQueueID: []byte(queue), Payload: []byte("hello")}
	if _, err := conn.Write(req.AppendFrame(nil)); err != nil {
		log.Fatal(err)
	}

	sent := next().MessageSent
	reply := next().MessageReply
	fmt.Println("sent:", *sent.SURBID == surb)
	fmt.Printf("reply: %q, padded to %d bytes\n", reply.Payload[:5], len(reply.Payload))
	// Output:
	// connected: true
	// sent: true
	// reply: "hello", padded to 2574 bytes
}

// Listen serves a mock outside tests (a demo, a development backend), as
// net/http users know it: it returns the daemon and its address, and
// errors are returned, not lost.
func ExampleListen() {
	d, addr, err := mock.Listen("") // "" picks a fresh address; "@katzenpost" or "tcp:127.0.0.1:64331" work too
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	fmt.Println(addr == d.Addr(), d.Document().ServiceNodes[0].Name)
	// Output: true servicenode1
}
