package pigeonhole_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/internal/waitfor"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
)

// 40 concurrent writes: the client keeps at most 16 start_* requests at
// the daemon (a 17th would stall the daemon's reading of the connection,
// docs/protocol.md 9.7) and every write completes.
func TestManyConcurrentStarts(t *testing.T) {
	d := startMock(t)
	p, _ := dial(t, d)
	ctx := testCtx(t)
	const n = 40
	w, r, at := keypair(t, ctx, p)
	envs := make([]pigeonhole.Envelope, n)
	idx := make([]pigeonhole.MessageBoxIndex, n)
	for i := range n {
		idx[i] = at
		env, err := p.EncryptWrite(ctx, &w, &at, []byte(fmt.Sprint("message ", i)))
		if err != nil {
			t.Fatal(err)
		}
		envs[i], at = env, env.Next
	}
	d.HoldPigeonhole()
	errs := make(chan error, n)
	for i := range n {
		go func() { errs <- p.Write(ctx, &w, envs[i]) }()
	}
	waitfor.Pigeonhole(t, d, "16 starts at the daemon", func(st mock.PigeonholeStats) bool { return st.Starts == client.MaxStartsInFlight })
	// A local request is answered after every request written before it:
	// had a 17th start been written, the daemon would have counted it.
	if _, err := p.NextIndex(ctx, &at); err != nil {
		t.Fatal(err)
	}
	if st := d.PigeonholeStats(); st.Starts != client.MaxStartsInFlight || st.InFlight != client.MaxStartsInFlight {
		t.Fatalf("stats %+v: want exactly 16 outstanding", st)
	}
	d.ReleasePigeonhole()
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if st := d.PigeonholeStats(); st.Starts != n || st.InFlight != 0 {
		t.Fatalf("stats %+v", st)
	}
	for i := range n {
		if msg, err := read(t, ctx, p, &r, &idx[i]); err != nil || string(msg) != fmt.Sprint("message ", i) {
			t.Fatalf("box %d: %q, %v", i, msg, err)
		}
	}
}

// Reconnection with start_* calls in flight: the daemon crashes while it
// holds their answers; the client reconnects, resumes and writes every
// unanswered request again with its query ID; then the answers come.
// Every call ends with its real outcome and none hangs.
func TestReconnectWithStartsInFlight(t *testing.T) {
	t.Run("released after the reconnection", func(t *testing.T) { reconnectWithStarts(t, false) })
	// Released while the session is away: the daemon loses the answers
	// (it queues no Pigeonhole reply), and only the client's replays after
	// the handshake get them.
	t.Run("released while away", func(t *testing.T) { reconnectWithStarts(t, true) })
}

func reconnectWithStarts(t *testing.T, releaseWhileAway bool) {
	d := startMock(t)
	p, c := dial(t, d, fastReconnect)
	ctx := testCtx(t)
	const n = 20 // more than the 16 slots: some wait in the client
	w, _, at := keypair(t, ctx, p)
	readers := make([]prepared, n)
	for i := range readers {
		readers[i] = prepareRead(t, ctx, p)
	}
	// Half the calls are writes that will succeed, half reads of boxes
	// that are written only after the reconnection.
	writes := make([]pigeonhole.Envelope, n/2)
	for i := range writes {
		env, err := p.EncryptWrite(ctx, &w, &at, []byte{byte(i)})
		if err != nil {
			t.Fatal(err)
		}
		writes[i], at = env, env.Next
	}
	d.HoldPigeonhole()
	reads := make([]<-chan result, n)
	for i := range readers {
		reads[i] = readers[i].start(ctx, p)
	}
	writeErrs := make(chan error, len(writes))
	for i := range writes {
		go func() { writeErrs <- p.Write(ctx, &w, writes[i]) }()
	}
	waitfor.Pigeonhole(t, d, "16 starts at the daemon", func(st mock.PigeonholeStats) bool { return st.InFlight == client.MaxStartsInFlight })
	before := c.Stats().Reconnects
	if releaseWhileAway {
		d.SetConnected(false) // answers wait while the daemon is offline
		d.DropConnections()
		d.ReleasePigeonhole()
		d.SetConnected(true)
	} else {
		d.DropConnections()
	}
	waitfor.Reconnect(t, c, before)
	d.ReleasePigeonhole()
	for i := range readers {
		if !d.WriteBox(readers[i].w[:], readers[i].at[:], []byte{byte(100 + i)}) {
			t.Fatal("WriteBox")
		}
	}
	for i, ch := range reads {
		r := <-ch
		if errors.Is(r.err, context.DeadlineExceeded) {
			t.Fatalf("read %d hung", i)
		}
		if r.err != nil || len(r.msg) != 1 || r.msg[0] != byte(100+i) {
			t.Fatalf("read %d: %v, %v", i, r.msg, r.err)
		}
	}
	for range writes {
		if err := <-writeErrs; err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	st := d.PigeonholeStats()
	if st.InFlight != 0 {
		t.Fatalf("stats %+v: operations left at the daemon", st)
	}
	if releaseWhileAway && st.Lost == 0 {
		t.Logf("stats %+v: no answer was lost (the client was back first)", st)
	}
}

// A cancel while the connection is down goes out after the next
// handshake, and the operation is gone from the daemon.
func TestCancelWhileDisconnected(t *testing.T) {
	d := startMock(t)
	p, c := dial(t, d, fastReconnect)
	pr := prepareRead(t, testCtx(t), p)
	ctx, cancel := context.WithCancel(context.Background())
	done := pr.start(ctx, p)
	waitfor.Pigeonhole(t, d, "the start at the daemon", func(st mock.PigeonholeStats) bool { return st.InFlight == 1 })
	before := c.Stats().Reconnects
	d.DropConnections()
	cancel()
	if r := <-done; !errors.Is(r.err, context.Canceled) {
		t.Fatalf("Read: %v", r.err)
	}
	waitfor.Reconnect(t, c, before)
	// The cancel may go out twice (on the dying connection and again
	// after the handshake): a repeated cancel is harmless.
	waitfor.Pigeonhole(t, d, "the cancel", func(st mock.PigeonholeStats) bool { return st.Cancels >= 1 && st.InFlight == 0 })
}
