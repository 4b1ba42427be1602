package bench_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/internal/bench/floor"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/transport"
)

// ioCounts counts the system calls on one side of a connection.
type ioCounts struct{ reads, writes atomic.Int64 }

// countingConn counts its reads and writes.
type countingConn struct {
	net.Conn
	n *ioCounts
}

func (c countingConn) Read(b []byte) (int, error) {
	c.n.reads.Add(1)
	return c.Conn.Read(b)
}

func (c countingConn) Write(b []byte) (int, error) {
	c.n.writes.Add(1)
	return c.Conn.Write(b)
}

type countingListener struct {
	net.Listener
	n *ioCounts
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.n}, nil
}

type countingDialer struct {
	transport.Dialer
	n *ioCounts
}

func (d countingDialer) Dial(ctx context.Context) (net.Conn, error) {
	c, err := d.Dialer.Dial(ctx)
	if err != nil {
		return nil, err
	}
	return countingConn{c, d.n}, nil
}

func listenCounting(tb testing.TB, n *ioCounts) net.Listener {
	tb.Helper()
	var b [8]byte
	rand.Read(b[:])
	l, err := net.Listen("unix", "@katzenthin-bench-"+hex.EncodeToString(b[:]))
	if err != nil {
		tb.Fatal(err)
	}
	return countingListener{l, n}
}

// BenchmarkBatching is RoundTrip/64B/c<n> for the floor and the SDK
// (v0.0.47, in-process mock) with every read and write counted: it
// reports how many calls each system call carried on either side
// (calls/client-write, calls/server-read, ...). Under load, the more
// calls a system call carries, the fewer there are: batching is most of
// the throughput.
func BenchmarkBatching(b *testing.B) {
	for _, conc := range concurrencies[1:] {
		b.Run(concName(conc), func(b *testing.B) {
			b.Run("floor", func(b *testing.B) {
				var server, cl ioCounts
				s := floor.Serve(listenCounting(b, &server))
				defer s.Close()
				conn, err := net.Dial("unix", s.Addr())
				if err != nil {
					b.Fatal(err)
				}
				c := floor.NewClient(countingConn{conn, &cl})
				defer c.Close()
				runRoundTrips(b, conc, 64, c.Call)
				reportBatching(b, &cl, &server)
			})
			b.Run("v0.0.47", func(b *testing.B) {
				var server, cl ioCounts
				d := mock.New()
				served := make(chan error, 1)
				go func() { served <- d.Serve(listenCounting(b, &server)) }()
				defer func() {
					d.Close()
					<-served
				}()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				c, err := client.Dial(ctx, client.WithDialer(countingDialer{d.Dialer(), &cl}))
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				svc, err := c.Service("echo")
				if err != nil {
					b.Fatal(err)
				}
				runRoundTrips(b, conc, 64, sendCall(c, svc.Destination()))
				reportBatching(b, &cl, &server)
			})
		})
	}
}

func reportBatching(b *testing.B, cl, server *ioCounts) {
	n := float64(b.N)
	per := func(v int64) float64 { return n / float64(max(v, 1)) }
	b.ReportMetric(per(cl.writes.Load()), "calls/client-write")
	b.ReportMetric(per(cl.reads.Load()), "calls/client-read")
	b.ReportMetric(per(server.reads.Load()), "calls/server-read")
	b.ReportMetric(per(server.writes.Load()), "calls/server-write")
}
