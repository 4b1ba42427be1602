package client_test

import (
	"context"
	"testing"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// BenchmarkSendOverTransport: one Send's round trip against the mock on
// each transport, to compare a WebSocket's cost with a socket's.
func BenchmarkSendOverTransport(b *testing.B) {
	for _, tr := range []struct{ name, addr string }{
		{"unix", ""}, // a fresh abstract socket
		{"tcp", "tcp:127.0.0.1:0"},
		{"ws", "ws://127.0.0.1:0"},
	} {
		addr := tr.addr
		b.Run(tr.name, func(b *testing.B) {
			d, got, err := mock.Listen(addr, mock.WithGeneration(wire.Generation99))
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			dl, err := transport.Parse(got)
			if err != nil {
				b.Fatal(err)
			}
			c, err := client.Dial(context.Background(), client.WithDialer(dl))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			svc, err := c.Service("echo")
			if err != nil {
				b.Fatal(err)
			}
			p := make([]byte, 1000)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Send(context.Background(), svc.Destination(), p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
