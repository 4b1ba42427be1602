package raw

import (
	"bytes"
	"crypto/rand"
	"errors"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testdata = "../../../testdata/daemon-v0.0.47"

func load(tb testing.TB) *Frames {
	tb.Helper()
	f, err := Load(testdata)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// listen loads the frames and starts a canned daemon that the test's
// end closes (closing it earlier too is fine).
func listen(tb testing.TB) (*Frames, *Canned) {
	tb.Helper()
	f := load(tb)
	d, err := Listen(f)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return f, d
}

// TestLoadOffsets: the offsets point at the captured SURB ID in all three
// frames, and at the reply's 2,574-byte payload.
func TestLoadOffsets(t *testing.T) {
	f := load(t)
	id := f.Request[f.RequestID : f.RequestID+IDLength]
	if !bytes.Equal(f.Sent[f.SentID:f.SentID+IDLength], id) || !bytes.Equal(f.Reply[f.ReplyID:f.ReplyID+IDLength], id) {
		t.Fatal("SURB ID offsets disagree")
	}
	if f.ReplyPayloadLen != 2574 {
		t.Fatalf("reply payload %d bytes, want 2574", f.ReplyPayloadLen)
	}
	if !bytes.HasPrefix(f.Reply[f.ReplyPayload:], []byte("hello from capture tool (surb)")) {
		t.Fatal("reply payload offset is off")
	}
	if got := f.Request[f.RequestPayload:]; !bytes.HasPrefix(got, []byte("\x58\x1ehello from capture tool (surb)")) {
		t.Fatalf("request payload offset is off: % x", got[:4])
	}
}

// TestRoundTrips: many callers at once, each gets its own reply (the
// stamp of its own payload), and nothing is missed.
func TestRoundTrips(t *testing.T) {
	f, d := listen(t)
	for _, size := range []int{1, 64, 2000} {
		c, err := Dial(d.Addr(), f, size)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var bad sync.Map
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := c.NewCaller()
				p := make([]byte, size)
				for range 50 {
					rand.Read(p)
					r, err := w.Call(p)
					n := min(size, StampLength)
					if err != nil || len(r) != f.ReplyPayloadLen || !bytes.Equal(r[:n], p[:n]) {
						bad.Store(g, err)
					}
				}
			}()
		}
		wg.Wait()
		bad.Range(func(k, v any) bool {
			t.Errorf("size %d: caller %v got another reply (%v)", size, k, v)
			return true
		})
		if c.Misses() != 0 {
			t.Errorf("size %d: %d misses", size, c.Misses())
		}
		c.Close()
	}
	if got := d.Answered(); got != 3*16*50 {
		t.Fatalf("answered %d, want %d", got, 3*16*50)
	}
}

// TestCallOwnedKeepsReplies: a reply from CallOwned stays as it was
// after later calls, where Call's is overwritten by the next one.
func TestCallOwnedKeepsReplies(t *testing.T) {
	f, d := listen(t)
	c, err := Dial(d.Addr(), f, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w := c.NewCaller()
	first, second := bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{2}, 16)
	owned, err := w.CallOwned(first)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := w.Call(first)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Call(second); err != nil {
		t.Fatal(err)
	}
	if len(owned) != f.ReplyPayloadLen || !bytes.Equal(owned[:StampLength], first[:StampLength]) {
		t.Errorf("owned reply changed after later calls: % x", owned[:StampLength])
	}
	if !bytes.Equal(shared[:StampLength], second[:StampLength]) {
		t.Errorf("Call's reply was not the caller's reused buffer: % x", shared[:StampLength])
	}
}

// TestClosedFailsCallers: callers get ErrClosed once the connection
// ends, and later calls fail at once.
func TestClosedFailsCallers(t *testing.T) {
	f, d := listen(t)
	c, err := Dial(d.Addr(), f, 8)
	if err != nil {
		t.Fatal(err)
	}
	w := c.NewCaller()
	if _, err := w.Call(make([]byte, 8)); err != nil {
		t.Fatal(err)
	}
	d.Close()
	<-c.done
	if _, err := w.Call(make([]byte, 8)); !errors.Is(err, ErrClosed) {
		t.Fatalf("call after the end: %v", err)
	}
	c.Close()
}

// TestAnswerIgnoresOtherFrames: a frame without a SURB ID (thin close)
// gets no answer; one whose ID is not at the fixed offset is still found.
func TestAnswerIgnoresOtherFrames(t *testing.T) {
	f := load(t)
	d := &Canned{frames: f}
	if out := d.answer(nil, []byte("\xa1\x6dis_thin_close\xf5")); len(out) != 0 {
		t.Fatalf("answered a thin close with %d bytes", len(out))
	}
	moved := append([]byte("\x00"), f.Request...)
	out := d.answer(nil, moved)
	if len(out) != len(f.Sent)+len(f.Reply) {
		t.Fatalf("no answer to a request with the ID elsewhere")
	}
}

// FuzzAnswer: the canned daemon's only look at socket input never
// panics, and answers with exactly two frames or nothing.
func FuzzAnswer(fz *testing.F) {
	f := load(fz)
	fz.Add(f.Request)
	fz.Add([]byte("\xa1\x6dis_thin_close\xf5"))
	d := &Canned{frames: f}
	fz.Fuzz(func(t *testing.T, body []byte) {
		out := d.answer(nil, body)
		if len(out) != 0 && len(out) != len(f.Sent)+len(f.Reply) {
			t.Fatalf("answer of %d bytes", len(out))
		}
	})
}
