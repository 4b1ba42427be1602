package pigeonhole_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/katzenthin/katzenthin/pigeonhole"
)

// Flow (a): Alice writes a box, Bob reads it with the read cap alone; the
// index helpers agree with the local relations; an exclusive rewrite of
// the box with other content is refused, the same content is not.
func TestMockWriteRead(t *testing.T) {
	d := startMock(t)
	alice, _ := dial(t, d)
	bob, _ := dial(t, d)
	ctx := testCtx(t)

	w, r, first := keypair(t, ctx, alice)
	if got := w.ReadCap(); got != r {
		t.Fatal("WriteCap.ReadCap differs from the daemon's read cap")
	}
	if got := r.FirstIndex(); got != first {
		t.Fatal("ReadCap.FirstIndex differs from the daemon's first index")
	}
	msg := []byte("hello pigeonhole")
	env, err := alice.EncryptWrite(ctx, &w, &first, msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.Write(ctx, &w, env); err != nil {
		t.Fatal(err)
	}
	at := r.FirstIndex()
	got, err := read(t, ctx, bob, &r, &at)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("Read = %q, %v; want %q", got, err, msg)
	}

	next, err := alice.NextIndex(ctx, &first)
	if err != nil || next != env.Next {
		t.Fatalf("NextIndex = %v, %v; want %v", next, err, env.Next)
	}
	c0, err := alice.Counter(ctx, &first)
	if err != nil || c0 != first.Counter() {
		t.Fatalf("Counter = %d, %v; want %d", c0, err, first.Counter())
	}
	c1, err := alice.Counter(ctx, &next)
	if err != nil || c1 != c0+1 {
		t.Fatalf("Counter(next) = %d, %v; want %d", c1, err, c0+1)
	}

	other, err := alice.EncryptWrite(ctx, &w, &first, []byte("something else"))
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.WriteExclusive(ctx, &w, other); !errors.Is(err, pigeonhole.ErrBoxAlreadyExists) {
		t.Fatalf("exclusive rewrite: %v, want ErrBoxAlreadyExists", err)
	}
	if err := alice.Write(ctx, &w, other); err != nil {
		t.Fatalf("default rewrite: %v, want success (idempotent)", err)
	}
	same, err := alice.EncryptWrite(ctx, &w, &first, msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.WriteExclusive(ctx, &w, same); err != nil {
		t.Fatalf("exclusive rewrite of the same content: %v", err)
	}
}
