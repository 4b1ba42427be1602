package wire_test

import (
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

// benchMessages are the messages of a SURB round trip and of a Pigeonhole
// write, as the codec benchmarks encode and decode them.
func benchMessages() (requests map[string]func([]byte) []byte, responses map[string]*wire.Response) {
	surb, q := wire.NewSURBID(), wire.NewQueryID()
	hash := make([]byte, 32)
	send47 := &wire.Request{IsSendOp: true, WithSURB: true, SURBID: &surb, DestinationIDHash: hash,
		RecipientQueueID: []byte("+echo"), Payload: make([]byte, 2000)}
	send99 := &wire.Request99{SendMessage: &wire.SendMessage{WithSURB: true, SURBID: &surb, DestinationIDHash: hash,
		RecipientQueueID: []byte("+echo"), Payload: make([]byte, 2000)}}
	write := &wire.Request99{EncryptWrite: &wire.EncryptWrite{QueryID: &q, Plaintext: make([]byte, 1500),
		WriteCap: make([]byte, 168), MessageBoxIndex: make([]byte, 104)}}
	requests = map[string]func([]byte) []byte{
		"send/v0.0.47":  send47.AppendFrame,
		"send/v0.0.99":  send99.AppendFrame,
		"encrypt_write": write.AppendFrame,
	}
	responses = map[string]*wire.Response{
		"sent":  {MessageSent: &wire.MessageSentEvent{SURBID: &surb, SentAt: time.Unix(1700000000, 0), ReplyETA: time.Second}},
		"reply": {MessageReply: &wire.MessageReplyEvent{SURBID: &surb, Payload: make([]byte, 2000)}},
		"encrypt_write_reply": {EncryptWriteReply: &wire.EncryptWriteReply{QueryID: &q, MessageCiphertext: make([]byte, 2000),
			EnvelopeDescriptor: make([]byte, 100), EnvelopeHash: hash, NextMessageBoxIndex: make([]byte, 104)}},
	}
	return requests, responses
}

// BenchmarkEncode encodes requests and responses into a reused buffer.
func BenchmarkEncode(b *testing.B) {
	requests, responses := benchMessages()
	for name, enc := range requests {
		b.Run(name, func(b *testing.B) { encodeBench(b, enc) })
	}
	for name, r := range responses {
		for _, g := range []wire.Generation{wire.Generation47, wire.Generation99} {
			if g == wire.Generation47 && r.MessageSent == nil && r.MessageReply == nil {
				continue
			}
			b.Run(name+"/"+g.String(), func(b *testing.B) {
				encodeBench(b, func(dst []byte) []byte { return r.AppendFrame(dst, g) })
			})
		}
	}
}

func encodeBench(b *testing.B, enc func([]byte) []byte) {
	buf := enc(nil)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = enc(buf[:0])
	}
}

// BenchmarkDecode decodes responses with a Decoder (the fast path for
// the sent and reply events) and with DecodeResponse.
func BenchmarkDecode(b *testing.B) {
	_, responses := benchMessages()
	for name, r := range responses {
		for _, g := range []wire.Generation{wire.Generation47, wire.Generation99} {
			if g == wire.Generation47 && r.MessageSent == nil && r.MessageReply == nil {
				continue
			}
			body := r.Marshal(g)
			b.Run(name+"/"+g.String()+"/Decoder", func(b *testing.B) {
				var d wire.Decoder
				decodeBench(b, len(body), func() error { _, err := d.Decode(body); return err })
			})
			b.Run(name+"/"+g.String()+"/DecodeResponse", func(b *testing.B) {
				var resp wire.Response
				decodeBench(b, len(body), func() error { return wire.DecodeResponse(body, &resp) })
			})
		}
	}
}

func decodeBench(b *testing.B, n int, fn func() error) {
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
}
