package pigeonhole_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/internal/waitfor"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
)

// result is the outcome of a call run in a goroutine.
type result struct {
	msg []byte
	err error
}

// prepared is a read of an empty box, ready to start.
type prepared struct {
	w   pigeonhole.WriteCap
	r   pigeonhole.ReadCap
	at  pigeonhole.MessageBoxIndex
	env pigeonhole.Envelope
}

func prepareRead(t testing.TB, ctx context.Context, p *pigeonhole.Client) prepared {
	t.Helper()
	w, r, at := keypair(t, ctx, p)
	env, err := p.EncryptRead(ctx, &r, &at)
	if err != nil {
		t.Fatal(err)
	}
	return prepared{w, r, at, env}
}

func (pr *prepared) start(ctx context.Context, p *pigeonhole.Client) <-chan result {
	out := make(chan result, 1)
	go func() {
		msg, err := p.Read(ctx, &pr.r, &pr.at, pr.env)
		out <- result{msg, err}
	}()
	return out
}

// A context that ended before the call sends nothing.
func TestCancelBeforeWrite(t *testing.T) {
	d := startMock(t)
	p, _ := dial(t, d)
	pr := prepareRead(t, testCtx(t), p)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Read(ctx, &pr.r, &pr.at, pr.env); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read: %v, want context.Canceled", err)
	}
	if st := d.PigeonholeStats(); st.Starts != 0 || st.Cancels != 0 {
		t.Fatalf("stats %+v: want nothing sent", st)
	}
}

// A read in flight at the daemon (an empty box: it waits) is cancelled
// when its context ends: the cancel goes out with its envelope hash, the
// call returns the context's error, the daemon's late 24 is absorbed and
// the connection goes on working.
func TestCancelInFlight(t *testing.T) {
	d := startMock(t)
	p, c := dial(t, d)
	pr := prepareRead(t, testCtx(t), p)
	ctx, cancel := context.WithCancel(context.Background())
	done := pr.start(ctx, p)
	waitfor.Pigeonhole(t, d, "the start at the daemon", func(st mock.PigeonholeStats) bool { return st.InFlight == 1 })
	cancel()
	if r := <-done; !errors.Is(r.err, context.Canceled) {
		t.Fatalf("Read: %v, want context.Canceled", r.err)
	}
	waitfor.Pigeonhole(t, d, "the cancel", func(st mock.PigeonholeStats) bool { return st.Cancels == 1 && st.InFlight == 0 })
	// The cancelled start's own reply (24) came back for nobody. No event
	// says so, but order does: the daemon has read the cancel (it counted
	// it), so it writes the 24 before its answer to any request read
	// after, and the client reads replies one by one, in order. Once a
	// later request is answered, the 24 has been counted.
	ctx2 := testCtx(t)
	if _, err := p.NextIndex(ctx2, &pr.at); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.LateReplies < 1 || st.WrongReplies != 0 || st.Pending != 0 {
		t.Fatalf("client stats %+v: want the late 24, nothing wrong or pending", st)
	}
	// A second cancel finds nothing and answers success (flow c).
	if err := p.CancelEnvelope(ctx2, pr.env.Hash); err != nil {
		t.Fatalf("second cancel: %v", err)
	}
	w, r, at := keypair(t, ctx2, p)
	write(t, ctx2, p, &w, &at, []byte("still works"))
	if msg, err := read(t, ctx2, p, &r, &at); err != nil || string(msg) != "still works" {
		t.Fatalf("after the cancel: %q, %v", msg, err)
	}
}

// A copy command in flight is cancelled with the hash of its temporary
// write cap (flow i).
func TestCancelCopy(t *testing.T) {
	d := startMock(t)
	p, _ := dial(t, d)
	d.HoldPigeonhole()
	defer d.ReleasePigeonhole()
	temp, _, _ := keypair(t, testCtx(t), p)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Copy(ctx, &temp) }()
	waitfor.Pigeonhole(t, d, "the copy at the daemon", func(st mock.PigeonholeStats) bool { return st.InFlight == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Copy: %v, want context.Canceled", err)
	}
	waitfor.Pigeonhole(t, d, "the cancel", func(st mock.PigeonholeStats) bool { return st.Cancels == 1 && st.InFlight == 0 })
}

// A call waiting for one of the 16 start slots is cancelled without
// sending anything; the 16 in flight are not disturbed.
func TestCancelWhileQueuedForSlot(t *testing.T) {
	d := startMock(t)
	p, _ := dial(t, d)
	ctx := testCtx(t)
	var held []<-chan result
	readers := make([]prepared, client.MaxStartsInFlight+1)
	for i := range readers {
		readers[i] = prepareRead(t, ctx, p)
	}
	for i := range client.MaxStartsInFlight {
		held = append(held, readers[i].start(ctx, p))
	}
	waitfor.Pigeonhole(t, d, "16 starts at the daemon", func(st mock.PigeonholeStats) bool { return st.InFlight == client.MaxStartsInFlight })
	qctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	last := readers[client.MaxStartsInFlight]
	if _, err := p.Read(qctx, &last.r, &last.at, last.env); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("queued Read: %v, want its deadline", err)
	}
	if st := d.PigeonholeStats(); st.Starts != client.MaxStartsInFlight || st.Cancels != 0 {
		t.Fatalf("stats %+v: the queued call sent something", st)
	}
	// Now let the 16 finish: write their boxes, as another client would.
	for i := range client.MaxStartsInFlight {
		if !d.WriteBox(readers[i].w[:], readers[i].at[:], []byte{byte(i)}) {
			t.Fatal("WriteBox")
		}
	}
	for i, h := range held {
		if r := <-h; r.err != nil || len(r.msg) != 1 || r.msg[0] != byte(i) {
			t.Fatalf("read %d: %v, %v", i, r.msg, r.err)
		}
	}
}
