package channel_test

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/pigeonhole/channel"
	"github.com/katzenthin/katzenthin/pigeonhole/channel/channeltest"
)

func msgs(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("message %d", i))
	}
	return out
}

// TestSendReceive: messages submitted in a row (many in flight, over
// three connections) arrive in order, each with its sequence number.
func TestSendReceive(t *testing.T) {
	d := startMock(t)
	ctx := testCtx(t)
	clients := dialN(t, mockDialer(d), 3)
	db, err := channel.New(channel.NewMemoryStore(), channel.WithClients(clients...), channel.WithWindow(16))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w, err := db.CreateWriter(ctx, "out")
	if err != nil {
		t.Fatalf("CreateWriter: %v", err)
	}
	want := msgs(1, 40)
	var ops []*channel.Write
	for i, m := range want {
		op, err := w.Submit(ctx, []byte(m))
		if err != nil {
			t.Fatalf("Submit: %v", err)
		}
		if op.Seq() != uint64(i+1) {
			t.Fatalf("Submit %d: seq %d", i, op.Seq())
		}
		ops = append(ops, op)
	}
	for _, op := range ops {
		if err := op.Wait(ctx); err != nil {
			t.Fatalf("write %d: %v", op.Seq(), err)
		}
	}
	st := w.State()
	if st.NextSeq != 41 || st.EndSeq != 41 || st.Next != st.End {
		t.Errorf("writer state after every ack: %v", st)
	}
	r, err := db.ImportReader(ctx, "in", w.ReadCap(), w.Start())
	if err != nil {
		t.Fatalf("ImportReader: %v", err)
	}
	got := receiveN(t, ctx, r, len(want), 1)
	if !slices.Equal(got, want) {
		t.Fatalf("received %q, want %q", got, want)
	}
	for i := range want {
		if err := r.Ack(ctx, uint64(i+1)); err != nil {
			t.Fatalf("Ack: %v", err)
		}
	}
	if err := r.Ack(ctx, 1); err != nil {
		t.Errorf("second Ack: %v", err)
	}
	if err := r.Ack(ctx, 41); !errors.Is(err, channel.ErrUnknownSeq) {
		t.Errorf("Ack of a message not received: %v, want ErrUnknownSeq", err)
	}
	infos, err := db.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 2 || infos[0].Name != "in" || infos[0].Kind != channel.KindRead || infos[0].Pending != 0 || infos[1].Name != "out" || infos[1].Pending != 0 {
		t.Errorf("List: %+v", infos)
	}
}

// TestReceiveRedeliversUnacked: after a restart, the messages received
// and not acknowledged come again with the same sequence numbers, then
// the new ones.
func TestReceiveRedeliversUnacked(t *testing.T) {
	d := startMock(t)
	ctx := testCtx(t)
	clients := dialN(t, mockDialer(d), 1)
	path := tempDBPath(t)
	db := openDB(t, path, clients)
	w, err := db.CreateWriter(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs(1, 5) {
		if err := w.Send(ctx, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := db.ImportReader(ctx, "in", w.ReadCap(), w.Start())
	if err != nil {
		t.Fatal(err)
	}
	receiveN(t, ctx, r, 3, 1)
	if err := r.Ack(ctx, 2); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openDB(t, path, clients)
	r, err = db.Reader(ctx, "in")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 4 {
		m, err := r.Receive(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d:%s", m.Seq, m.Data))
	}
	want := []string{"1:message 1", "3:message 3", "4:message 4", "5:message 5"}
	if !slices.Equal(got, want) {
		t.Fatalf("after restart: %q, want %q", got, want)
	}
}

// TestPendingResentUnchanged: a write in flight when the channel closes
// stays pending and is sent again, byte for byte (the mock sees the
// same envelope hash again), before anything new.
func TestPendingResentUnchanged(t *testing.T) {
	d := startMock(t)
	ctx := testCtx(t)
	clients := dialN(t, mockDialer(d), 1)
	path := tempDBPath(t)
	db := openDB(t, path, clients)
	w, err := db.CreateWriter(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	readCap, start := w.ReadCap(), w.Start()
	d.HoldPigeonhole()
	var ops []*channel.Write
	for _, m := range msgs(1, 3) {
		op, err := w.Submit(ctx, []byte(m))
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, op)
	}
	if _, err := d.WaitPigeonhole(ctx, func(s mock.PigeonholeStats) bool { return s.Starts == 3 }); err != nil {
		t.Fatal(err)
	}
	w.Close()
	for _, op := range ops {
		if err := op.Err(); !errors.Is(err, channel.ErrClosed) {
			t.Errorf("write %d after Close: %v, want ErrClosed", op.Seq(), err)
		}
	}
	if _, recs, err := db.Store().Load(ctx, "out"); err != nil || len(recs) != 3 {
		t.Fatalf("pending records after Close: %d, %v", len(recs), err)
	}
	db.Close()
	d.ReleasePigeonhole()

	db = openDB(t, path, clients)
	w, err = db.Writer(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	if w.NextSeq() != 4 {
		t.Errorf("NextSeq after reopen: %d, want 4", w.NextSeq())
	}
	if err := w.Send(ctx, []byte("message 4")); err != nil {
		t.Fatalf("Send after reopen: %v", err)
	}
	st, err := d.WaitPigeonhole(ctx, func(s mock.PigeonholeStats) bool { return s.Replays >= 3 })
	if err != nil {
		t.Fatalf("the pending envelopes were not sent again unchanged: %+v", st)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if _, recs, _ := db.Store().Load(ctx, "out"); len(recs) != 0 {
		t.Errorf("%d pending records after Flush", len(recs))
	}
	r, err := db.ImportReader(ctx, "in", readCap, start)
	if err != nil {
		t.Fatal(err)
	}
	if got := receiveN(t, ctx, r, 4, 1); !slices.Equal(got, msgs(1, 4)) {
		t.Fatalf("received %q", got)
	}
}

// TestTombstoneStops: the reader surfaces a tombstone and does not move
// past it.
func TestTombstoneStops(t *testing.T) {
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
	for _, m := range []string{"one", "", "three"} {
		if err := w.Send(ctx, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := db.ImportReader(ctx, "in", w.ReadCap(), w.Start())
	if err != nil {
		t.Fatal(err)
	}
	receiveN(t, ctx, r, 1, 1)
	for range 2 {
		if _, err := r.Receive(ctx); !errors.Is(err, pigeonhole.ErrTombstone) {
			t.Fatalf("Receive at the tombstone: %v, want ErrTombstone", err)
		}
		if st := r.State(); st.NextSeq != 2 {
			t.Fatalf("the reader moved past the tombstone: %v", st)
		}
	}
}

// TestCommitFailureSendsNothing: a commit that fails (a full disk)
// fails Send, nothing goes out, later messages abort, the writer takes
// nothing new, and once reopened it uses the index for the next message.
func TestCommitFailureSendsNothing(t *testing.T) {
	d := startMock(t)
	ctx := testCtx(t)
	fs := &failingStore{Store: channel.NewMemoryStore()}
	db, err := channel.New(fs, channel.WithClients(dialN(t, mockDialer(d), 1)...))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w, err := db.CreateWriter(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Send(ctx, []byte("message 1")); err != nil {
		t.Fatal(err)
	}
	fs.setFail(func(c channel.Change) bool { return len(c.Put) > 0 })
	op2, err := w.Submit(ctx, []byte("lost 2"))
	if err != nil {
		t.Fatal(err)
	}
	// The second write may fail before the third is submitted: then
	// Submit refuses it (the writer is broken); else it is aborted behind
	// the failed one. Either way it never goes out.
	op3, err3 := w.Submit(ctx, []byte("lost 3"))
	if err := op2.Err(); !errors.Is(err, errDiskFull) || !errors.Is(err, channel.ErrBroken) {
		t.Fatalf("write with a failing commit: %v, want ErrBroken and the store's error", err)
	}
	if err3 == nil {
		if err3 = op3.Err(); !errors.Is(err3, channel.ErrAborted) {
			t.Fatalf("write after a failed one: %v, want ErrAborted", err3)
		}
	} else if !errors.Is(err3, channel.ErrBroken) {
		t.Fatalf("Submit after a failed write: %v, want ErrBroken", err3)
	}
	if s := d.PigeonholeStats(); s.Starts != 1 {
		t.Errorf("%d writes went out, want only the first", s.Starts)
	}
	fs.setFail(nil)
	if err := w.Send(ctx, []byte("after")); !errors.Is(err, channel.ErrBroken) {
		t.Fatalf("Send after a failed commit: %v, want ErrBroken", err)
	}
	w.Close()
	if w, err = db.Writer(ctx, "out"); err != nil {
		t.Fatal(err)
	}
	if w.NextSeq() != 2 {
		t.Fatalf("NextSeq after the failures: %d, want 2", w.NextSeq())
	}
	for _, m := range msgs(2, 3) {
		if err := w.Send(ctx, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := db.ImportReader(ctx, "in", w.ReadCap(), w.Start())
	if err != nil {
		t.Fatal(err)
	}
	if got := receiveN(t, ctx, r, 3, 1); !slices.Equal(got, msgs(1, 3)) {
		t.Fatalf("received %q", got)
	}
}

// TestAckCommitFailureKeepsPending: when recording an acknowledgement
// fails, Send fails and the record stays pending (it is sent again,
// harmlessly); nothing acknowledged before is lost.
func TestAckCommitFailureKeepsPending(t *testing.T) {
	d := startMock(t)
	ctx := testCtx(t)
	fs := &failingStore{Store: channel.NewMemoryStore()}
	db, err := channel.New(fs, channel.WithClients(dialN(t, mockDialer(d), 1)...))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w, err := db.CreateWriter(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Send(ctx, []byte("message 1")); err != nil {
		t.Fatal(err)
	}
	fs.setFail(func(c channel.Change) bool { return len(c.Delete) > 0 })
	if err := w.Send(ctx, []byte("message 2")); !errors.Is(err, errDiskFull) {
		t.Fatalf("Send with a failing ack commit: %v", err)
	}
	st, recs, err := fs.Load(ctx, "out")
	if err != nil || len(recs) != 1 || recs[0].Seq != 2 || st.NextSeq != 2 || st.EndSeq != 3 {
		t.Fatalf("store after the failed ack: %v, %v, %v", st, recs, err)
	}
	fs.setFail(nil)
	if err := w.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if st := w.State(); st.NextSeq != 3 {
		t.Errorf("state after Flush: %v", st)
	}
}

func TestChannelsBookkeeping(t *testing.T) {
	ctx := testCtx(t)
	db, err := channel.New(channel.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ws, rs := channeltest.WriteState("w"), channeltest.ReadState("r")
	w, err := db.ImportWriter(ctx, "w", ws.WriteCap, ws.Start)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportReader(ctx, "r", rs.ReadCap, rs.Start); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportReader(ctx, "w", rs.ReadCap, rs.Start); !errors.Is(err, channel.ErrExists) {
		t.Errorf("import over an existing name: %v", err)
	}
	if _, err := db.Writer(ctx, "w"); !errors.Is(err, channel.ErrInUse) {
		t.Errorf("second open: %v, want ErrInUse", err)
	}
	if err := db.Delete(ctx, "w"); !errors.Is(err, channel.ErrInUse) {
		t.Errorf("Delete of an open channel: %v, want ErrInUse", err)
	}
	w.Close()
	if _, err := db.Reader(ctx, "w"); !errors.Is(err, channel.ErrWrongKind) {
		t.Errorf("Reader of a write channel: %v, want ErrWrongKind", err)
	}
	if err := db.Delete(ctx, "w"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Writer(ctx, "w"); !errors.Is(err, channel.ErrNotFound) {
		t.Errorf("open a deleted channel: %v, want ErrNotFound", err)
	}
	if _, err := db.CreateWriter(ctx, "x"); !errors.Is(err, channel.ErrNoClient) {
		t.Errorf("CreateWriter without clients: %v, want ErrNoClient", err)
	}
	if _, err := db.ImportReader(ctx, "", rs.ReadCap, rs.Start); !errors.Is(err, channel.ErrInvalidName) {
		t.Errorf("empty name: %v", err)
	}
	if _, err := channel.New(channel.NewMemoryStore(), channel.WithWindow(17)); err == nil {
		t.Error("a window over client.MaxStartsInFlight was accepted")
	}
}

// TestSecretsRedacted: caps, envelopes and messages never print.
func TestSecretsRedacted(t *testing.T) {
	st := channeltest.WriteState("w")
	env := channeltest.EnvelopeRecord(1)
	msg := channel.Message{Seq: 1, Data: []byte("secret text")}
	secrets := [][]byte{st.WriteCap[:8], st.ReadCap[:8], env.Envelope.Descriptor[:8], env.Envelope.Hash[:8], env.Envelope.Ciphertext[:8]}
	var logged strings.Builder
	log := slog.New(slog.NewTextHandler(&logged, nil))
	log.Info("values", "state", st, "record", env, "message", msg)
	for _, v := range []any{st, &st, env, msg, channel.Info{Name: "w"}, logged.String()} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, "secret text") {
				t.Errorf("%s of %T prints the message", verb, v)
			}
			for _, s := range secrets {
				if strings.Contains(out, fmt.Sprintf("%x", s)) || strings.Contains(out, string(s)) {
					t.Errorf("%s of %T prints secret bytes: %s", verb, v, out)
				}
			}
		}
	}
}

// TestEncryptFailureFreesIndex: a message the daemon refuses to encrypt
// was never committed or sent; its index goes to the next message, and
// the reader sees no gap.
func TestEncryptFailureFreesIndex(t *testing.T) {
	d := startMock(t)
	ctx := testCtx(t)
	db, err := channel.New(channel.NewMemoryStore(), channel.WithClients(dialN(t, mockDialer(d), 2)...))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w, err := db.CreateWriter(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Send(ctx, []byte("message 1")); err != nil {
		t.Fatal(err)
	}
	bad, err := w.Submit(ctx, make([]byte, 5000)) // more than a box holds
	if err != nil {
		t.Fatal(err)
	}
	next, err := w.Submit(ctx, []byte("message 2"))
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.Err(); !errors.Is(err, pigeonhole.ErrInvalidLength) {
		t.Fatalf("oversized message: %v, want ErrInvalidLength", err)
	}
	switch err := next.Err(); {
	case errors.Is(err, channel.ErrAborted): // it had its index before the failure
		if err := w.Send(ctx, []byte("message 2")); err != nil {
			t.Fatal(err)
		}
	case err != nil:
		t.Fatalf("message after the refused one: %v", err)
	}
	if err := w.Send(ctx, []byte("message 3")); err != nil {
		t.Fatal(err)
	}
	r, err := db.ImportReader(ctx, "in", w.ReadCap(), w.Start())
	if err != nil {
		t.Fatal(err)
	}
	if got := receiveN(t, ctx, r, 3, 1); !slices.Equal(got, msgs(1, 3)) {
		t.Fatalf("received %q", got)
	}
}
