package bench_test

import (
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/internal/bench/floor"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

// codecPayload is the reply payload the codec benchmarks decode: the
// padded size every echo reply has.
const codecPayload = mock.DefaultReplySize

// BenchmarkCodec measures the wire codecs on the messages of a SURB round
// trip (the request; the sent event and the reply), the floor's plain
// fxamacker/cbor codec on the same messages, and the PKI document codec.
// SetBytes is the frame (or document) size.
func BenchmarkCodec(b *testing.B) {
	surb := wire.NewSURBID()
	hash := make([]byte, 32)
	queue := []byte("+echo")
	for _, size := range sizes {
		payload := make([]byte, size)
		r47 := wire.Request{IsSendOp: true, WithSURB: true, SURBID: &surb,
			DestinationIDHash: hash, RecipientQueueID: queue, Payload: payload}
		r99 := wire.Request99{SendMessage: &wire.SendMessage{WithSURB: true, SURBID: &surb,
			DestinationIDHash: hash, RecipientQueueID: queue, Payload: payload}}
		rf := floor.Request{IsSendOp: true, WithSURB: true, SURBID: surb[:],
			DestinationIDHash: hash, RecipientQueueID: queue, Payload: payload}
		b.Run("request/v0.0.47/"+sizeName(size), func(b *testing.B) {
			frame := r47.AppendFrame(nil)
			b.Run("encode", func(b *testing.B) {
				encodeBench(b, len(frame), func(dst []byte) []byte { return r47.AppendFrame(dst) })
			})
			b.Run("decode", func(b *testing.B) {
				var r wire.Request
				opBench(b, len(frame), func() error { return wire.DecodeRequest(frame[wire.HeaderSize:], &r) })
			})
		})
		b.Run("request/v0.0.99/"+sizeName(size), func(b *testing.B) {
			frame := r99.AppendFrame(nil)
			b.Run("encode", func(b *testing.B) {
				encodeBench(b, len(frame), func(dst []byte) []byte { return r99.AppendFrame(dst) })
			})
			b.Run("decode", func(b *testing.B) {
				var r wire.Request99
				opBench(b, len(frame), func() error { return wire.DecodeRequest99(frame[wire.HeaderSize:], &r) })
			})
		})
		b.Run("request/floor/"+sizeName(size), func(b *testing.B) {
			frame, err := floor.EncodeRequest(&rf)
			if err != nil {
				b.Fatal(err)
			}
			b.Run("encode", func(b *testing.B) {
				opBench(b, len(frame), func() error { _, err := floor.EncodeRequest(&rf); return err })
			})
		})
	}

	events := []struct {
		name string
		resp wire.Response
	}{
		{"sent", wire.Response{MessageSent: &wire.MessageSentEvent{SURBID: &surb, SentAt: time.Now(), ReplyETA: mock.DefaultReplyETA}}},
		{"reply", wire.Response{MessageReply: &wire.MessageReplyEvent{SURBID: &surb, Payload: make([]byte, codecPayload)}}},
	}
	for _, ev := range events {
		for _, gen := range generations {
			b.Run(ev.name+"/"+gen.String(), func(b *testing.B) {
				frame := ev.resp.AppendFrame(nil, gen)
				body := frame[wire.HeaderSize:]
				b.Run("encode", func(b *testing.B) {
					encodeBench(b, len(frame), func(dst []byte) []byte { return ev.resp.AppendFrame(dst, gen) })
				})
				b.Run("DecodeResponse", func(b *testing.B) {
					var r wire.Response
					opBench(b, len(frame), func() error { return wire.DecodeResponse(body, &r) })
				})
				b.Run("Decoder", func(b *testing.B) {
					var d wire.Decoder
					opBench(b, len(frame), func() error { _, err := d.Decode(body); return err })
				})
			})
		}
		b.Run(ev.name+"/floor/decode", func(b *testing.B) {
			// The floor decodes the frames the v0.0.47 daemon writes.
			frame := ev.resp.AppendFrame(nil, wire.Generation47)
			opBench(b, len(frame), func() error { _, err := floor.DecodeResponse(frame[wire.HeaderSize:]); return err })
		})
	}

	for _, gen := range generations {
		b.Run("pki/"+gen.String(), func(b *testing.B) {
			doc := mock.New(mock.WithGeneration(gen)).Document()
			raw, err := doc.Marshal()
			if err != nil {
				b.Fatal(err)
			}
			b.Run("parse", func(b *testing.B) {
				opBench(b, len(raw), func() error { _, err := pki.Parse(raw); return err })
			})
			b.Run("marshal", func(b *testing.B) {
				opBench(b, len(raw), func() error { _, err := doc.Marshal(); return err })
			})
		})
	}
}

// encodeBench runs an append-style encoder into a reused buffer.
func encodeBench(b *testing.B, n int, enc func(dst []byte) []byte) {
	buf := make([]byte, 0, n)
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		buf = enc(buf[:0])
	}
}

// opBench runs fn, which must not fail.
func opBench(b *testing.B, n int, fn func() error) {
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
}
