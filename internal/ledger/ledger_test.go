package ledger

import (
	"encoding/binary"
	"testing"
	"time"
)

// TestLedger: a write after the return is a ghost, one before is not; a
// reply read before the return counts only as a whole frame.
func TestLedger(t *testing.T) {
	l := New()
	l.wrote(Payload(1, 30))
	l.Returned(1)
	l.Returned(2)
	l.wrote(append([]byte("xx"), Payload(2, 0)...))
	if l.Ghost(1) || !l.Ghost(2) {
		t.Fatal("ghosts misjudged")
	}
	frame := binary.BigEndian.AppendUint32(nil, uint32(PayloadLen))
	frame = append(frame, Payload(3, 0)...)
	c := &conn{l: l}
	c.recv = append(c.recv, frame[:10]...) // half a frame: not received
	l.Returned(3)
	if l.ReplyBeforeReturn(3, 0) {
		t.Fatal("half a frame counted")
	}
	l2 := New()
	l2.read(frame)
	l2.received[3] = l2.received[3].Add(-time.Second) // read a second before
	l2.Returned(3)
	if !l2.ReplyBeforeReturn(3, 100*time.Millisecond) {
		t.Fatal("whole frame not counted")
	}
	if l.Service(Payload(4, 0)); !l.Seen(4) || l.Seen(5) {
		t.Fatal("Seen")
	}
}
