package mock_test

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

func TestViolations47(t *testing.T) {
	e := start(t, wire.Generation47)
	echo := e.dest("echo")
	surb := wire.NewSURBID()
	id := wire.NewMessageID()
	send := func(f func(r *wire.Request)) []byte {
		r := wire.Request{IsSendOp: true, WithSURB: true, SURBID: &surb, DestinationIDHash: echo.hash,
			RecipientQueueID: echo.queue, Payload: []byte("x")}
		f(&r)
		return r.AppendFrame(nil)
	}
	for _, tc := range []struct {
		name, reason string
		frame        []byte
	}{
		{"no operation", "no operation flag", (&wire.Request{WithSURB: true, SURBID: &surb}).AppendFrame(nil)},
		{"two operations", "2 operation flags", send(func(r *wire.Request) { r.IsThinClose = true })},
		{"null surbid", "null surbid", send(func(r *wire.Request) { r.SURBID = nil })},
		{"no-reply null surbid", "null surbid", send(func(r *wire.Request) { r.SURBID, r.WithSURB = nil, false })},
		{"missing destination", "destination_id_hash of 0 bytes", send(func(r *wire.Request) { r.DestinationIDHash = nil })},
		{"short destination", "destination_id_hash of 31 bytes", send(func(r *wire.Request) { r.DestinationIDHash = echo.hash[:31] })},
		{"empty queue", "recipient_queue_id of 0 bytes", send(func(r *wire.Request) { r.RecipientQueueID = nil })},
		{"long queue", "recipient_queue_id of 33 bytes", send(func(r *wire.Request) { r.RecipientQueueID = make([]byte, 33) })},
		{"payload too large", "payload of 2001 bytes", send(func(r *wire.Request) { r.Payload = make([]byte, mock.DefaultMaxPayload+1) })},
		{"arq null id", "null id", send(func(r *wire.Request) { r.IsSendOp, r.IsARQSendOp, r.SURBID = false, true, nil })},
		{"arq payload too large", "payload of 2001 bytes", send(func(r *wire.Request) {
			r.IsSendOp, r.IsARQSendOp, r.SURBID, r.ID, r.Payload = false, true, nil, &id, make([]byte, 2001)
		})},
		{"not cbor", "does not decode", wire.AppendFrame(nil, []byte{0xff, 0x00})},
		{"not a map", "does not decode", wire.AppendFrame(nil, []byte{0x01})},
		{"oversized frame", "over the", binary.BigEndian.AppendUint32(nil, wire.DefaultMaxFrameSize+1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.d.Violations())
			bystander := e.connect(nil)
			c := e.connect(nil)
			c.write(tc.frame)
			c.expectEOF()
			e.sync()
			v := e.d.Violations()
			if len(v) != before+1 {
				t.Fatalf("%d violations, want %d", len(v), before+1)
			}
			last := v[len(v)-1]
			if !strings.Contains(last.Reason, tc.reason) || last.Generation != wire.Generation47 || last.Time.IsZero() ||
				last.AppID == (wire.Token{}) || !strings.Contains(last.String(), last.Reason) {
				t.Fatalf("violation %v (%+v), want reason containing %q", last, last, tc.reason)
			}
			// Everyone else is served on.
			surb := bystander.sendSURB(e.dest("echo"), []byte("still served"))
			bystander.expectSent(surb)
			bystander.expectReply(surb, []byte("still served"), mock.DefaultReplySize)
		})
	}
	if st := e.d.Stats(); st.Violations != int64(len(e.d.Violations())) {
		t.Fatalf("stats %+v", st)
	}
	// Violations are distinct per connection.
	v := e.d.Violations()
	if v[0].AppID == v[1].AppID {
		t.Fatal("two connections share an app ID")
	}
}

// A payload of exactly the limit is fine.
func TestMaxPayloadBoundary(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e := start(t, gen, mock.WithMaxPayload(50))
		c := e.connect(&wire.Token{21})
		p := bytes.Repeat([]byte{'a'}, 50)
		surb := c.sendSURB(e.dest("echo"), p)
		c.expectSent(surb)
		c.expectReply(surb, p, mock.DefaultReplySize)
		if v := e.d.Violations(); len(v) != 0 {
			t.Fatal(v)
		}
	})
}
