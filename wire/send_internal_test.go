package wire

import (
	"bytes"
	"testing"
)

// sendSamples are sends of both generations with every field absent,
// empty or set.
func sendSamples() (v47 []*Request, v99 []*Request99) {
	id, surb := NewMessageID(), NewSURBID()
	hash := make([]byte, 32)
	for _, m := range []SendMessage{
		{},
		{WithSURB: true, SURBID: &surb, DestinationIDHash: hash, RecipientQueueID: []byte("+echo"), Payload: []byte{}},
		{ID: &id, SURBID: &surb, DestinationIDHash: hash, RecipientQueueID: []byte("+echo"), Payload: make([]byte, 70000)},
	} {
		v99 = append(v99, &Request99{SendMessage: &m})
		v47 = append(v47, &Request{ID: m.ID, WithSURB: m.WithSURB, SURBID: m.SURBID, DestinationIDHash: m.DestinationIDHash,
			RecipientQueueID: m.RecipientQueueID, Payload: m.Payload, IsSendOp: m.ID == nil, IsARQSendOp: m.ID != nil})
	}
	v47 = append(v47, &Request{IsThinClose: true}, &Request{IsLoopDecoy: true, IsDropDecoy: true})
	return v47, v99
}

// TestSendEncodersMatchLibrary: the hand-written send encoders write what
// the library writes for the same types.
func TestSendEncodersMatchLibrary(t *testing.T) {
	v47, v99 := sendSamples()
	for _, r := range v47 {
		if got, want := r.Marshal(), appendCBOR(nil, r, nil); !bytes.Equal(got, want) {
			t.Errorf("v0.0.47 %+v:\n got %x\nwant %x", r, got, want)
		}
	}
	for _, r := range v99 {
		if got, want := r.Marshal(), appendCBOR(nil, r, nil); !bytes.Equal(got, want) {
			t.Errorf("v0.0.99 %+v:\n got %x\nwant %x", r.SendMessage, got, want)
		}
	}
}

// BenchmarkEncodeSend compares the hand-written send encoders with the
// library on the same request: the evidence for keeping them.
func BenchmarkEncodeSend(b *testing.B) {
	v47, v99 := sendSamples()
	r47, r99 := v47[1], v99[1]
	for _, c := range []struct {
		name string
		enc  func([]byte) []byte
	}{
		{"v0.0.47/hand", r47.appendBody},
		{"v0.0.47/library", func(dst []byte) []byte { return appendCBOR(dst, r47, nil) }},
		{"v0.0.99/hand", r99.appendBody},
		{"v0.0.99/library", func(dst []byte) []byte { return appendCBOR(dst, r99, nil) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			buf := c.enc(nil)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf = c.enc(buf[:0])
			}
		})
	}
}
