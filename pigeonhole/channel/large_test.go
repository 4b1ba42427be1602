package channel_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/pigeonhole/channel"
)

// receiveBytes receives messages until n bytes came, and returns them.
func receiveBytes(t *testing.T, r *channel.Reader, n int) []byte {
	t.Helper()
	ctx := testCtx(t)
	var out []byte
	for len(out) < n {
		m, err := r.Receive(ctx)
		if err != nil {
			t.Fatalf("Receive: %v", err)
		}
		out = append(out, m.Data...)
		if err := r.Ack(ctx, m.Seq); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestSendLarge: a payload of several boxes goes through one copy
// command; the reader gets its chunks as consecutive messages, then
// what was sent after it.
func TestSendLarge(t *testing.T) {
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
	if err := w.Send(ctx, []byte("before")); err != nil {
		t.Fatal(err)
	}
	payload := make([]byte, 7000)
	rand.Read(payload)
	if err := w.SendLarge(ctx, payload); err != nil {
		t.Fatalf("SendLarge: %v", err)
	}
	if err := w.Send(ctx, []byte("after")); err != nil {
		t.Fatal(err)
	}
	if w.NextSeq() != 4 {
		t.Errorf("NextSeq %d: a large message is one message for the writer", w.NextSeq())
	}
	if err := w.SendLarge(ctx, nil); !errors.Is(err, pigeonhole.ErrInvalidRequest) {
		t.Errorf("SendLarge of nothing: %v", err)
	}
	r, err := db.ImportReader(ctx, "in", w.ReadCap(), w.Start())
	if err != nil {
		t.Fatal(err)
	}
	if got := receiveBytes(t, r, len("before")); string(got) != "before" {
		t.Fatalf("first message %q", got)
	}
	if got := receiveBytes(t, r, len(payload)); !bytes.Equal(got, payload) {
		t.Fatalf("the large payload came back different (%d bytes)", len(got))
	}
	if got := receiveBytes(t, r, len("after")); string(got) != "after" {
		t.Fatalf("message after the large one: %q", got)
	}
}

// TestSendLargePendingCopyResent: a copy whose acknowledgement could not
// be recorded stays pending, and the next open sends the copy command
// again for the same temporary stream (the mock sees its write-cap hash
// again); the boxes hold the payload once.
func TestSendLargePendingCopyResent(t *testing.T) {
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
	w.Close()
	db.Close()

	// The same file through a store that fails the acknowledgement.
	bdb := openDB(t, path, nil)
	fs := &failingStore{Store: bdb.Store()}
	fs.setFail(func(c channel.Change) bool { return len(c.Delete) > 0 })
	db2, err := channel.New(fs, channel.WithClients(clients...))
	if err != nil {
		t.Fatal(err)
	}
	w, err = db2.Writer(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	payload := make([]byte, 4000)
	rand.Read(payload)
	if err := w.SendLarge(ctx, payload); !errors.Is(err, errDiskFull) {
		t.Fatalf("SendLarge with a failing ack: %v", err)
	}
	_, recs, err := fs.Load(ctx, "out")
	if err != nil || len(recs) != 1 || recs[0].CopyCap == nil {
		t.Fatalf("pending after the failed ack: %v, %v", recs, err)
	}
	before := d.PigeonholeStats().Replays
	db2.Close() // closes the file too

	db = openDB(t, path, clients)
	w, err = db.Writer(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Send(ctx, []byte("after")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.WaitPigeonhole(ctx, func(s mock.PigeonholeStats) bool { return s.Replays > before }); err != nil {
		t.Fatal("the copy command was not sent again for the same temporary stream")
	}
	r, err := db.ImportReader(ctx, "in", readCap, start)
	if err != nil {
		t.Fatal(err)
	}
	if got := receiveBytes(t, r, len(payload)); !bytes.Equal(got, payload) {
		t.Fatalf("the large payload came back different (%d bytes)", len(got))
	}
	if got := receiveBytes(t, r, len("after")); string(got) != "after" {
		t.Fatalf("message after the large one: %q", got)
	}
}
