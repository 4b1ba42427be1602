package mock_test

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

// rawEcho is a client that does not allocate: one pre-encoded SURB send,
// frames read into fixed buffers without decoding.
type rawEcho struct {
	conn    net.Conn
	request []byte
	hdr     [4]byte
	body    []byte
}

func newRawEcho(tb testing.TB, d *mock.Daemon, gen wire.Generation) *rawEcho {
	tb.Helper()
	e := &env{t: tb, d: d, gen: gen}
	token := wire.NewToken() // one session per client
	c := e.connect(&token)
	dst := e.dest("echo")
	surb := wire.NewSURBID()
	var frame []byte
	if gen == wire.Generation99 {
		frame = (&wire.Request99{SendMessage: &wire.SendMessage{WithSURB: true, SURBID: &surb,
			DestinationIDHash: dst.hash, RecipientQueueID: dst.queue, Payload: []byte("ping")}}).AppendFrame(nil)
	} else {
		frame = (&wire.Request{IsSendOp: true, WithSURB: true, SURBID: &surb,
			DestinationIDHash: dst.hash, RecipientQueueID: dst.queue, Payload: []byte("ping")}).AppendFrame(nil)
	}
	c.conn.SetReadDeadline(time.Time{})
	return &rawEcho{conn: c.conn, request: frame, body: make([]byte, 8192)}
}

// roundTrip sends the request and reads the sent event and the reply.
func (r *rawEcho) roundTrip(tb testing.TB) {
	if _, err := r.conn.Write(r.request); err != nil {
		tb.Fatal(err)
	}
	for range 2 {
		if _, err := io.ReadFull(r.conn, r.hdr[:]); err != nil {
			tb.Fatal(err)
		}
		n := binary.BigEndian.Uint32(r.hdr[:])
		if _, err := io.ReadFull(r.conn, r.body[:n]); err != nil {
			tb.Fatal(err)
		}
	}
}

// TestReplyPathAllocations: with zero latency and no hold, the daemon
// allocates per request only what decoding the request costs, less the
// request struct it reuses (the echo reply is the request's payload).
func TestReplyPathAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the whole process")
	}
	for _, gen := range generations {
		t.Run(gen.String(), func(t *testing.T) {
			d := mock.Start(t, mock.WithGeneration(gen))
			r := newRawEcho(t, d, gen)
			body := r.request[4:]
			decode := testing.AllocsPerRun(100, func() {
				if gen == wire.Generation99 {
					var req wire.Request99
					wire.DecodeRequest99(body, &req)
				} else {
					var req wire.Request
					wire.DecodeRequest(body, &req)
				}
			})
			for range 100 { // warm up buffers
				r.roundTrip(t)
			}
			const n = 2000
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for range n {
				r.roundTrip(t)
			}
			runtime.ReadMemStats(&after)
			perRequest := float64(after.Mallocs-before.Mallocs) / n
			t.Logf("%.2f allocations per request; decoding one costs %.0f", perRequest, decode)
			// Plus a little for the runtime's own background work.
			if perRequest > decode-1+0.25 {
				t.Fatalf("%.2f allocations per request, decoding costs %.0f", perRequest, decode)
			}
		})
	}
}

func BenchmarkEcho(b *testing.B) {
	for _, gen := range generations {
		b.Run(gen.String(), func(b *testing.B) {
			b.Run("serial", func(b *testing.B) {
				d := mock.Start(b, mock.WithGeneration(gen))
				r := newRawEcho(b, d, gen)
				b.ReportAllocs()
				for b.Loop() {
					r.roundTrip(b)
				}
			})
			b.Run("parallel", func(b *testing.B) {
				d := mock.Start(b, mock.WithGeneration(gen))
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					r := newRawEcho(b, d, gen)
					for pb.Next() {
						r.roundTrip(b)
					}
				})
			})
		})
	}
}

// BenchmarkHoldRelease parks calls with HoldReplies and releases them.
func BenchmarkHoldRelease(b *testing.B) {
	d := mock.Start(b)
	r := newRawEcho(b, d, wire.Generation47)
	const parked = 1000
	total := 0
	b.ReportAllocs()
	for b.Loop() {
		d.HoldReplies()
		for range parked {
			if _, err := r.conn.Write(r.request); err != nil {
				b.Fatal(err)
			}
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range 2 * parked {
				if _, err := io.ReadFull(r.conn, r.hdr[:]); err != nil {
					b.Error(err)
					return
				}
				n := binary.BigEndian.Uint32(r.hdr[:])
				if _, err := io.ReadFull(r.conn, r.body[:n]); err != nil {
					b.Error(err)
					return
				}
			}
		}()
		total += parked
		if err := d.WaitRequests(context.Background(), total); err != nil {
			b.Fatal(err)
		}
		d.ReleaseReplies()
		<-done
	}
}
