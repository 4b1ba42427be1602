package pigeonhole_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/pigeonhole"
)

// eventually waits, up to 10 s, for cond to hold: the mock's counters
// change on its own goroutines, after the client's write returned.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

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
	eventually(t, "the start at the daemon", func() bool { return d.PigeonholeStats().InFlight == 1 })
	cancel()
	if r := <-done; !errors.Is(r.err, context.Canceled) {
		t.Fatalf("Read: %v, want context.Canceled", r.err)
	}
	eventually(t, "the cancel", func() bool { st := d.PigeonholeStats(); return st.Cancels == 1 && st.InFlight == 0 })
	// The cancelled start's own reply (24) came back for nobody.
	eventually(t, "the late 24", func() bool { return c.Stats().LateReplies >= 1 })
	if st := c.Stats(); st.WrongReplies != 0 || st.Pending != 0 {
		t.Fatalf("client stats %+v", st)
	}
	ctx2 := testCtx(t)
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
	eventually(t, "the copy at the daemon", func() bool { return d.PigeonholeStats().InFlight == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Copy: %v, want context.Canceled", err)
	}
	eventually(t, "the cancel", func() bool { st := d.PigeonholeStats(); return st.Cancels == 1 && st.InFlight == 0 })
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
	eventually(t, "16 starts at the daemon", func() bool { return d.PigeonholeStats().InFlight == client.MaxStartsInFlight })
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
