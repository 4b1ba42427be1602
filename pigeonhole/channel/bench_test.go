package channel_test

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/pigeonhole/channel"
)

var (
	benchSize    = flag.Int("channel.bench-size", 1<<20, "bytes BenchmarkThroughput moves per operation")
	benchLatency = flag.Duration("channel.bench-latency", 50*time.Millisecond, "the mock's courier round trip in BenchmarkThroughput")
)

// BenchmarkThroughput moves 1 MiB through a channel on a mock whose
// courier round trips take 50 ms, one box at a time (a window of 1, as
// the peers do today) and pipelined (a window of 16), for sending and
// for receiving. It reports, besides MB/s, the fraction of the window
// limit reached: W boxes per round trip (a write takes one courier round
// trip, a read two), and logs the pipelined/one-at-a-time ratios.
func BenchmarkThroughput(b *testing.B) {
	perOp := map[string]time.Duration{}
	for _, side := range []string{"send", "receive"} {
		for _, w := range []int{1, 16} {
			name := "one-at-a-time"
			if w > 1 {
				name = fmt.Sprintf("pipelined-W%d", w)
			}
			b.Run(side+"/"+name, func(b *testing.B) {
				perOp[side+"/"+name] = benchChannel(b, side, w)
			})
		}
	}
	for _, side := range []string{"send", "receive"} {
		if one, piped := perOp[side+"/one-at-a-time"], perOp[side+"/pipelined-W16"]; one > 0 && piped > 0 {
			b.Logf("%s: pipelined W=16 is %.1fx one-at-a-time", side, float64(one)/float64(piped))
		}
	}
}

// benchChannel runs one sub-benchmark and returns the time per
// operation.
func benchChannel(b *testing.B, side string, window int) time.Duration {
	d := startMock(b, mock.WithPigeonholeLatency(0, *benchLatency))
	var c0 *client.Client
	dialer := func() client.Option { return client.WithDialer(d.Dialer()) }
	clients := dialN(b, dialer, 3)
	{
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := client.Dial(ctx, dialer())
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		c0 = c
	}
	boxPayload := c0.Daemon().PigeonholeGeometry.MaxPlaintextPayloadLength
	payload := make([]byte, *benchSize)
	rand.Read(payload)
	var boxes [][]byte
	for rest := payload; len(rest) > 0; {
		n := min(boxPayload, len(rest))
		boxes = append(boxes, rest[:n])
		rest = rest[n:]
	}
	db, err := channel.New(channel.NewMemoryStore(), channel.WithClients(clients...), channel.WithWindow(window))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	p := pigeonhole.New(c0)

	roundTrips := 1 // a write
	if side == "receive" {
		roundTrips = 2 // a read: the ACK, then the replica's answer
	}
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		name := fmt.Sprintf("c%d", i)
		switch side {
		case "send":
			b.StopTimer() // the keypair is not part of it
			w, err := db.CreateWriter(ctx, name)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			sendAll(b, w, boxes)
			w.Close()
		case "receive":
			b.StopTimer()
			seed := make([]byte, pigeonhole.SeedSize)
			rand.Read(seed)
			wc, rc, first, err := p.NewKeypair(ctx, seed)
			if err != nil {
				b.Fatal(err)
			}
			at := first
			for _, box := range boxes {
				next, err := p.NextIndex(ctx, &at)
				if err != nil {
					b.Fatal(err)
				}
				if !d.WriteBox(wc[:], at[:], box) {
					b.Fatal("WriteBox")
				}
				at = next
			}
			r, err := db.ImportReader(ctx, name, rc, first)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			for range boxes {
				m, err := r.Receive(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if err := r.Ack(ctx, m.Seq); err != nil {
					b.Fatal(err)
				}
			}
			r.Close()
		}
	}
	per := b.Elapsed() / time.Duration(b.N)
	limit := float64(window*boxPayload) / (float64(roundTrips) * benchLatency.Seconds()) // bytes/s
	got := float64(len(payload)) / per.Seconds()
	b.ReportMetric(got/limit, "of-window-limit")
	return per
}

// sendAll submits every box and waits for the last acknowledgement.
func sendAll(b *testing.B, w *channel.Writer, boxes [][]byte) {
	ctx := context.Background()
	ops := make([]*channel.Write, 0, len(boxes))
	for _, box := range boxes {
		op, err := w.Submit(ctx, box)
		if err != nil {
			b.Fatal(err)
		}
		ops = append(ops, op)
	}
	for _, op := range ops {
		if err := op.Err(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncryptionSpread sends 32 boxes with a window of 16 on a mock
// whose encryptions take 20 ms each and hold up their connection, as the
// real daemon's do (seconds there), over one connection and over three:
// the channel spreads the encryptions, so three connections should take
// about a third of the time.
func BenchmarkEncryptionSpread(b *testing.B) {
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("clients-%d", n), func(b *testing.B) {
			d := startMock(b, mock.WithPigeonholeLatency(20*time.Millisecond, *benchLatency))
			clients := dialN(b, func() client.Option { return client.WithDialer(d.Dialer()) }, n)
			db, err := channel.New(channel.NewMemoryStore(), channel.WithClients(clients...), channel.WithWindow(16))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			boxes := make([][]byte, 32)
			for i := range boxes {
				boxes[i] = make([]byte, 1000)
			}
			b.SetBytes(32 * 1000)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				w, err := db.CreateWriter(context.Background(), fmt.Sprintf("c%d", i))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				sendAll(b, w, boxes)
				w.Close()
			}
		})
	}
}
