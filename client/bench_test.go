package client_test

import (
	"context"
	"testing"
)

// BenchmarkSendFake measures Send against the in-test fake daemon; the
// harness of record (against mock, with the floor) is internal/bench.
func BenchmarkSendFake(b *testing.B) {
	f := startFake(b, func(c *fakeConn) {
		c.greet(b)
		for {
			batch, err := c.readBatch()
			for _, r := range batch {
				c.answer(r)
			}
			if err != nil {
				return
			}
		}
	})
	c := f.mustDial(b)
	dst := echoDst(b, c)
	payload := make([]byte, 64)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Send(context.Background(), dst, payload); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
