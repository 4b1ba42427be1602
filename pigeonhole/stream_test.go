package pigeonhole_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/katzenthin/katzenthin/internal/waitfor"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
)

// interruptedWrite starts a write that d holds and cancels it once it is
// at d: its outcome is unknown to the writer.
func interruptedWrite(t *testing.T, d *mock.Daemon, w *pigeonhole.Writer) {
	t.Helper()
	d.HoldPigeonhole()
	defer d.ReleasePigeonhole()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Write(ctx, []byte("interrupted")) }()
	waitfor.Pigeonhole(t, d, "the write at the daemon", func(st mock.PigeonholeStats) bool { return st.InFlight == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Write: %v", err)
	}
	if !w.State().Uncertain {
		t.Fatal("an interrupted write left the writer certain")
	}
}

// An uncertain writer whose interrupted write did not land writes the
// next message into that same box.
func TestWriterUncertainNotLanded(t *testing.T) {
	d := startMock(t)
	p, _ := dial(t, d)
	ctx := testCtx(t)
	wc, rc, first := keypair(t, ctx, p)
	w := p.ResumeWriter(pigeonhole.WriterState{Cap: wc, Next: first, Uncertain: true})
	if err := w.Write(ctx, []byte("next")); err != nil {
		t.Fatal(err)
	}
	if st := w.State(); st.Uncertain || st.Next.Counter() != first.Counter()+1 {
		t.Fatalf("state %v, uncertain %v: want certain, one box on", st, st.Uncertain)
	}
	if msg, err := p.NewReader(rc).Read(ctx); err != nil || string(msg) != "next" {
		t.Fatalf("Read = %q, %v", msg, err)
	}
}

// After interrupted writes that landed, the next message and a large
// payload go after them: nothing is lost or overwritten.
func TestWriterUncertainLanded(t *testing.T) {
	d := startMock(t)
	p, _ := dial(t, d)
	ctx := testCtx(t)
	wc, rc, _ := keypair(t, ctx, p)
	w := p.NewWriter(wc)
	// landed makes sure the interrupted message is in its box: the mock
	// may or may not have stored it before the cancel came.
	landed := func() {
		waitfor.Pigeonhole(t, d, "the cancel", func(st mock.PigeonholeStats) bool { return st.InFlight == 0 })
		at := w.State().Next
		d.WriteBox(wc[:], at[:], []byte("interrupted"))
	}
	interruptedWrite(t, d, w)
	landed()
	if err := w.Write(ctx, []byte("next")); err != nil {
		t.Fatal(err)
	}
	interruptedWrite(t, d, w)
	landed()
	large := bytes.Repeat([]byte("L"), 3000)
	if err := w.WriteLarge(ctx, large); err != nil {
		t.Fatal(err)
	}
	r := p.NewReader(rc)
	for _, want := range []string{"interrupted", "next", "interrupted"} {
		if msg, err := r.Read(ctx); err != nil || string(msg) != want {
			t.Fatalf("Read = %q, %v; want %q", msg, err, want)
		}
	}
	if got, err := r.ReadLarge(ctx); err != nil || !bytes.Equal(got, large) {
		t.Fatalf("ReadLarge: %d bytes, %v", len(got), err)
	}
}

// States round-trip through text and binary, and print no secret.
func TestStateMarshalling(t *testing.T) {
	var ws pigeonhole.WriterState
	for i := range ws.Cap {
		ws.Cap[i] = byte(i)
	}
	ws.Next[0], ws.Uncertain = 7, true
	text, err := ws.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	var ws2 pigeonhole.WriterState
	if err := ws2.UnmarshalText(text); err != nil || ws2 != ws {
		t.Fatalf("text round trip: %v", err)
	}
	bin, _ := ws.MarshalBinary()
	var ws3 pigeonhole.WriterState
	if err := ws3.UnmarshalBinary(bin); err != nil || ws3 != ws {
		t.Fatalf("binary round trip: %v", err)
	}
	var rs pigeonhole.ReaderState
	if err := rs.UnmarshalBinary(bin); err == nil {
		t.Fatal("a WriterState decoded as a ReaderState")
	}
	if err := rs.UnmarshalText([]byte("!!")); err == nil {
		t.Fatal("bad text accepted")
	}
	for _, s := range []string{fmtAll(ws), fmtAll(rs)} {
		if bytes.Contains([]byte(s), []byte{1, 2, 3}) || bytes.Contains([]byte(s), []byte("AAECAw")) {
			t.Fatalf("secret printed: %s", s)
		}
	}
}

func fmtAll(v any) string {
	var b bytes.Buffer
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
		b.WriteString(sprintf(f, v))
	}
	return b.String()
}

// Decoders of persisted state never panic and accept only what they
// would produce.
func FuzzStateUnmarshal(f *testing.F) {
	ws, _ := pigeonhole.WriterState{Uncertain: true}.MarshalBinary()
	rs, _ := pigeonhole.ReaderState{}.MarshalBinary()
	wt, _ := pigeonhole.WriterState{}.MarshalText()
	f.Add(ws)
	f.Add(rs)
	f.Add(wt)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var w pigeonhole.WriterState
		if w.UnmarshalBinary(b) == nil {
			if again, _ := w.MarshalBinary(); !bytes.Equal(again, b) {
				t.Fatal("WriterState binary does not round-trip")
			}
		}
		var r pigeonhole.ReaderState
		if r.UnmarshalBinary(b) == nil {
			if again, _ := r.MarshalBinary(); !bytes.Equal(again, b) {
				t.Fatal("ReaderState binary does not round-trip")
			}
		}
		_ = w.UnmarshalText(b)
		_ = r.UnmarshalText(b)
	})
}
