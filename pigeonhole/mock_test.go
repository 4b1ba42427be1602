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

// The stream helpers: messages, a tombstone and a payload of several
// boxes (flow d through a copy command) come back in order, and a reader
// resumed from its persisted state goes on where it was.
func TestMockStreams(t *testing.T) {
	d := startMock(t)
	alice, _ := dial(t, d)
	bob, _ := dial(t, d)
	ctx := testCtx(t)

	wc, rc, _ := keypair(t, ctx, alice)
	w := alice.NewWriter(wc)
	r := bob.NewReader(rc)

	if _, err := r.TryRead(ctx); !errors.Is(err, pigeonhole.ErrBoxNotFound) {
		t.Fatalf("TryRead of an empty stream: %v, want ErrBoxNotFound", err)
	}
	if got := r.State().Next; got != rc.FirstIndex() {
		t.Fatal("TryRead of an empty box moved the reader")
	}
	large := make([]byte, 5000)
	for i := range large {
		large[i] = byte(i * 7)
	}
	for _, m := range []string{"one", "two"} {
		if err := w.Write(ctx, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteLarge(ctx, large); err != nil {
		t.Fatalf("WriteLarge: %v", err)
	}
	if err := w.Write(ctx, []byte("after")); err != nil {
		t.Fatal(err)
	}
	if err := w.Tombstone(ctx); err != nil {
		t.Fatal(err)
	}

	for _, want := range []string{"one", "two"} {
		got, err := r.Read(ctx)
		if err != nil || string(got) != want {
			t.Fatalf("Read = %q, %v; want %q", got, err, want)
		}
	}
	// Persist and resume the reader, as an application would.
	text, err := r.State().MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	var st pigeonhole.ReaderState
	if err := st.UnmarshalText(text); err != nil {
		t.Fatal(err)
	}
	r = bob.ResumeReader(st)
	var stages []pigeonhole.Progress
	r.OnProgress(func(p pigeonhole.Progress) { stages = append(stages, p) })
	got, err := r.ReadLarge(ctx)
	if err != nil || !bytes.Equal(got, large) {
		t.Fatalf("ReadLarge = %d bytes, %v; want the %d written", len(got), err, len(large))
	}
	if last := stages[len(stages)-1]; last.Done != last.Total || last.Total < 4 {
		t.Errorf("last progress %+v: want every box of a 5000-byte payload (4+) done", last)
	}
	if got, err := r.Read(ctx); err != nil || string(got) != "after" {
		t.Fatalf("Read after the large payload = %q, %v", got, err)
	}
	if _, err := r.Read(ctx); !errors.Is(err, pigeonhole.ErrTombstone) {
		t.Fatalf("Read of the tombstone: %v, want ErrTombstone", err)
	}
	if _, err := r.TryRead(ctx); !errors.Is(err, pigeonhole.ErrBoxNotFound) {
		t.Fatalf("TryRead past the end: %v, want ErrBoxNotFound", err)
	}
}

// Flows e, f and h against the mock: directory authorities, vouchers,
// multi-payload and tombstone-range builders, a cancel of nothing.
func TestMockLocalFlows(t *testing.T) {
	d := startMock(t)
	p, _ := dial(t, d)
	ctx := testCtx(t)

	if auths, err := p.DirectoryAuthorities(ctx); err != nil && !errors.Is(err, &pigeonhole.Error{Code: 10}) {
		t.Fatalf("DirectoryAuthorities: %v", err)
	} else if err == nil && len(auths) == 0 {
		t.Fatal("no authorities and no error")
	}

	w, _, first := keypair(t, ctx, p)
	v, err := p.VoucherMint(ctx, &w, "alice")
	if err != nil {
		t.Fatalf("VoucherMint: %v", err)
	}
	vw, vr, err := p.VoucherDeriveStream(ctx, v.Voucher)
	if err != nil || vw != v.WriteCap || vr != v.ReadCap {
		t.Fatalf("VoucherDeriveStream: %v, or caps differ from the minted ones", err)
	}

	w2, _, first2 := keypair(t, ctx, p)
	a := pigeonhole.Destination{Payload: bytes.Repeat([]byte("a"), 3000), WriteCap: &w, Start: &first}
	b := pigeonhole.Destination{Payload: bytes.Repeat([]byte("b"), 100), WriteCap: &w2, Start: &first2}
	cs1, err := p.EnvelopesFromMultiPayload(ctx, []pigeonhole.Destination{a}, true, false, nil)
	if err != nil || len(cs1.Next) != 1 {
		t.Fatalf("multi 1: %v", err)
	}
	cs2, err := p.EnvelopesFromMultiPayload(ctx, []pigeonhole.Destination{b}, false, true, cs1.Buffer)
	if err != nil || len(cs2.Elements) == 0 || cs2.Buffer != nil {
		t.Fatalf("multi 2: %v, %d elements, buffer %d bytes", err, len(cs2.Elements), len(cs2.Buffer))
	}
	if cs1.Next[0].Counter() != first.Counter()+2 {
		t.Errorf("3000 bytes: next counter %d, want first+2", cs1.Next[0].Counter()-first.Counter())
	}
	ts, err := p.EnvelopesFromTombstoneRange(ctx, &w, &first, 2, true, true, nil)
	if err != nil || len(ts.Elements) == 0 || ts.Next[0].Counter() != first.Counter()+2 {
		t.Fatalf("tombstone range: %v", err)
	}
	none, err := p.EnvelopesFromTombstoneRange(ctx, &w, &first, 0, true, true, []byte("dropped"))
	if err != nil || none.Elements != nil || none.Buffer != nil || none.Next[0] != first {
		t.Fatalf("tombstone range of 0: %v, %+v", err, none)
	}
	if err := p.CancelCopy(ctx, w.Hash()); err != nil {
		t.Fatalf("cancel of nothing: %v", err)
	}
	if err := p.CancelEnvelope(ctx, [32]byte{1}); err != nil {
		t.Fatalf("cancel of nothing: %v", err)
	}
}
