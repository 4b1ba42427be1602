package channel_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole/channel"
)

// TestOutOfOrderAcks: with lost and repeated courier round trips, writes
// and reads end out of order; messages still arrive in order, and the
// durable next index ends past the last one.
func TestOutOfOrderAcks(t *testing.T) {
	d := startMock(t, mock.WithPigeonholeLatency(0, 2*time.Millisecond), mock.WithPigeonholeLoss(0.4))
	ctx := testCtx(t)
	db := openDB(t, tempDBPath(t), dialN(t, mockDialer(d), 2), channel.WithWindow(16))
	w, err := db.CreateWriter(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	want := msgs(1, 60)
	var ops []*channel.Write
	for _, m := range want {
		op, err := w.Submit(ctx, []byte(m))
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, op)
	}
	for _, op := range ops {
		if err := op.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if st := w.State(); st.NextSeq != 61 || st.Next != st.End {
		t.Fatalf("writer state: %v", st)
	}
	if s := d.PigeonholeStats(); s.Retransmissions == 0 {
		t.Fatalf("no round trip was lost: the test did not reorder anything (%+v)", s)
	}
	r, err := db.ImportReader(ctx, "in", w.ReadCap(), w.Start())
	if err != nil {
		t.Fatal(err)
	}
	if got := receiveN(t, ctx, r, len(want), 1); !slices.Equal(got, want) {
		t.Fatalf("received %q", got)
	}
}

// TestConcurrentSenders: Send from many goroutines at once gives every
// message its own sequence number and box.
func TestConcurrentSenders(t *testing.T) {
	d := startMock(t, mock.WithPigeonholeLatency(0, time.Millisecond))
	ctx := testCtx(t)
	db, err := channel.New(channel.NewMemoryStore(), channel.WithClients(dialN(t, mockDialer(d), 3)...), channel.WithWindow(16))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w, err := db.CreateWriter(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	const senders, each = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, senders*each)
	for g := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := w.Send(ctx, fmt.Appendf(nil, "g%d-%d", g, i)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	r, err := db.ImportReader(ctx, "in", w.ReadCap(), w.Start())
	if err != nil {
		t.Fatal(err)
	}
	got := receiveN(t, ctx, r, senders*each, 1)
	slices.Sort(got)
	if len(slices.Compact(got)) != senders*each {
		t.Fatalf("messages repeated or lost: %q", got)
	}
}

// TestReaderCloseWhileWaiting: Close ends a Receive that waits for a box
// nobody wrote, and the reads in flight.
func TestReaderCloseWhileWaiting(t *testing.T) {
	d := startMock(t)
	ctx := testCtx(t)
	db, err := channel.New(channel.NewMemoryStore(), channel.WithClients(dialN(t, mockDialer(d), 1)...))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w, err := db.CreateWriter(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	r, err := db.ImportReader(ctx, "in", w.ReadCap(), w.Start())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.Receive(ctx)
		done <- err
	}()
	if _, err := d.WaitPigeonhole(ctx, func(s mock.PigeonholeStats) bool { return s.InFlight == channel.DefaultWindow }); err != nil {
		t.Fatalf("the reader did not read ahead a window of boxes: %v", err)
	}
	r.Close()
	if err := <-done; !errors.Is(err, channel.ErrClosed) {
		t.Fatalf("Receive after Close: %v, want ErrClosed", err)
	}
	if st, recs, err := db.Store().Load(ctx, "in"); err != nil || len(recs) != 0 || st.NextSeq != 1 {
		t.Fatalf("store after Close: %v %v %v", st, recs, err)
	}
	if _, err := d.WaitPigeonhole(ctx, func(s mock.PigeonholeStats) bool { return s.InFlight == 0 }); err != nil {
		t.Fatalf("reads still in flight after Close: %v", err)
	}
}
