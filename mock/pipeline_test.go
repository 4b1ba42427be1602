package mock_test

import (
	"sync"
	"testing"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

// Clients pipeline requests: several in one write, or a write that ends
// in the middle of one. The daemon must answer each as it comes, never
// holding a frame back from a client that waits for it.

// surbFrame encodes a SURB send of the daemon's generation.
func surbFrame(gen wire.Generation, dst dest, payload []byte) ([]byte, wire.SURBID) {
	surb := wire.NewSURBID()
	if gen == wire.Generation99 {
		return (&wire.Request99{SendMessage: &wire.SendMessage{WithSURB: true, SURBID: &surb,
			DestinationIDHash: dst.hash, RecipientQueueID: dst.queue, Payload: payload}}).AppendFrame(nil), surb
	}
	return (&wire.Request{IsSendOp: true, WithSURB: true, SURBID: &surb,
		DestinationIDHash: dst.hash, RecipientQueueID: dst.queue, Payload: payload}).AppendFrame(nil), surb
}

// writeRaw writes bytes holding n requests (or parts of them).
func (c *client) writeRaw(b []byte, n int) {
	c.t.Helper()
	c.e.requests.Add(int64(n))
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func TestPipelinedRequests(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e := start(t, gen)
		c := e.connect(&wire.Token{50})
		var batch []byte
		var surbs []wire.SURBID
		for range 200 {
			f, surb := surbFrame(gen, e.dest("echo"), []byte("batched"))
			batch = append(batch, f...)
			surbs = append(surbs, surb)
		}
		c.writeRaw(batch, len(surbs))
		for _, surb := range surbs {
			c.expectSent(surb)
			c.expectReply(surb, []byte("batched"), mock.DefaultReplySize)
		}
	})
}

// A handler that blocks (at zero latency, on the connection's reader)
// does not hold back the frames of the requests before it in the same
// write, nor its own sent event.
func TestPipelinedBlockingHandler(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		release := make(chan struct{})
		var once sync.Once
		unblock := func() { once.Do(func() { close(release) }) }
		e := start(t, gen, mock.WithService("slow", func(p []byte) []byte {
			<-release
			return p
		}))
		t.Cleanup(unblock) // before the daemon's Close, which waits for the handler
		c := e.connect(&wire.Token{51})
		first, surb1 := surbFrame(gen, e.dest("echo"), []byte("first"))
		second, surb2 := surbFrame(gen, e.dest("slow"), []byte("second"))
		third, surb3 := surbFrame(gen, e.dest("echo"), []byte("third"))
		c.writeRaw(append(append(first, second...), third...), 3)
		c.expectSent(surb1)
		c.expectReply(surb1, []byte("first"), mock.DefaultReplySize)
		c.expectSent(surb2)
		unblock()
		c.expectReply(surb2, []byte("second"), mock.DefaultReplySize)
		c.expectSent(surb3)
		c.expectReply(surb3, []byte("third"), mock.DefaultReplySize)
	})
}

// A request whose end has not arrived does not hold back the frames of
// the requests before it.
func TestPipelinedPartialRequest(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e := start(t, gen)
		c := e.connect(&wire.Token{52})
		first, surb1 := surbFrame(gen, e.dest("echo"), []byte("first"))
		second, surb2 := surbFrame(gen, e.dest("echo"), []byte("second"))
		half := len(second) / 2
		c.writeRaw(append(first, second[:half]...), 1)
		c.expectSent(surb1)
		c.expectReply(surb1, []byte("first"), mock.DefaultReplySize)
		c.writeRaw(second[half:], 1)
		c.expectSent(surb2)
		c.expectReply(surb2, []byte("second"), mock.DefaultReplySize)
	})
}
