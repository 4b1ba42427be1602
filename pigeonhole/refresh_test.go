package pigeonhole_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/wire"
)

// A mock whose courier answers an envelope from its cache after 5 re-asks
// spent within 10 ms, and keeps entries for an hour: a read whose box is
// written later starves unless it refreshes (docs/protocol.md 9.7 item 4).
func starvingMock(t *testing.T) *mock.Daemon {
	return startMock(t, mock.WithCourierCache(5, time.Hour), mock.WithPigeonholeRetransmit(2*time.Millisecond))
}

type readResult struct {
	msg []byte
	err error
}

// goRead reads the box at in the background.
func goRead(ctx context.Context, t *testing.T, p *pigeonhole.Client, r *pigeonhole.ReadCap, at *pigeonhole.MessageBoxIndex) <-chan readResult {
	t.Helper()
	env, err := p.EncryptRead(ctx, r, at)
	if err != nil {
		t.Fatalf("EncryptRead: %v", err)
	}
	out := make(chan readResult, 1)
	go func() {
		msg, err := p.Read(ctx, r, at, env)
		out <- readResult{msg, err}
	}()
	return out
}

// Without refreshing, a read whose box is written after its envelope
// starved is never answered, as on the real network: the write lands, the
// read stays starved, and only its context ends it.
func TestReadWithoutRefreshStarves(t *testing.T) {
	d := starvingMock(t)
	alice, _ := dial(t, d)
	bob := pigeonhole.New(mustDial(t, d), pigeonhole.WithReadRefresh(0, 0))
	ctx := testCtx(t)
	w, r, first := keypair(t, ctx, alice)

	readCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	got := goRead(readCtx, t, bob, &r, &first)
	if _, err := d.WaitPigeonhole(ctx, func(s mock.PigeonholeStats) bool { return s.Starved == 1 }); err != nil {
		t.Fatal(err)
	}
	write(t, ctx, alice, &w, &first, []byte("late"))
	st := d.PigeonholeStats()
	if st.Starved != 1 || st.InFlight != 1 {
		t.Fatalf("after the write: %+v; want the read starved and in flight", st)
	}
	// Nothing can answer it now (no timer, no prune within the hour).
	cancel()
	if res := <-got; !errors.Is(res.err, context.Canceled) {
		t.Fatalf("Read = %q, %v; want context.Canceled", res.msg, res.err)
	}
	if n := bob.Stats().ReadRefreshes; n != 0 {
		t.Fatalf("ReadRefreshes = %d with refreshing off", n)
	}
}

// refreshCounter is a client.Tracer that also counts read refreshes.
type refreshCounter struct {
	nopTracer
	mu    sync.Mutex
	infos []pigeonhole.RefreshInfo
}

func (c *refreshCounter) ReadRefreshed(info pigeonhole.RefreshInfo) {
	c.mu.Lock()
	c.infos = append(c.infos, info)
	c.mu.Unlock()
}

type nopTracer struct{}

func (nopTracer) CallStart(ctx context.Context, _ client.CallInfo) context.Context { return ctx }
func (nopTracer) CallEnd(context.Context, client.CallInfo, error)                  {}
func (nopTracer) ConnectionLost(error)                                             {}
func (nopTracer) Reconnected(client.ReconnectInfo)                                 {}

// A refreshing read sees a write made long after its first envelope
// starved: every refresh is a fresh envelope the courier asks about again.
func TestReadRefreshSeesLateWrite(t *testing.T) {
	d := starvingMock(t)
	alice, _ := dial(t, d)
	tr := &refreshCounter{}
	bob := pigeonhole.New(mustDial(t, d, client.WithTracer(tr)), pigeonhole.WithReadRefresh(20*time.Millisecond, 80*time.Millisecond))
	ctx := testCtx(t)
	w, r, first := keypair(t, ctx, alice)

	got := goRead(ctx, t, bob, &r, &first)
	// Two refreshes done (each cancels the old envelope) and an envelope
	// starved: the write comes "late".
	if _, err := d.WaitPigeonhole(ctx, func(s mock.PigeonholeStats) bool { return s.Cancels >= 2 && s.Starved == 1 }); err != nil {
		t.Fatal(err)
	}
	write(t, ctx, alice, &w, &first, []byte("late"))
	res := <-got
	if res.err != nil || !bytes.Equal(res.msg, []byte("late")) {
		t.Fatalf("Read = %q, %v; want \"late\"", res.msg, res.err)
	}
	n := bob.Stats().ReadRefreshes
	tr.mu.Lock()
	infos := append([]pigeonhole.RefreshInfo(nil), tr.infos...)
	tr.mu.Unlock()
	if n < 2 || int64(len(infos)) != n {
		t.Fatalf("ReadRefreshes = %d, tracer saw %d; want at least 2, equal", n, len(infos))
	}
	for i, in := range infos {
		if in.Refresh != i+1 || in.Next <= 0 || in.Next > 80*time.Millisecond {
			t.Fatalf("refresh %d: %+v", i, in)
		}
	}
	// One start per envelope: the first, one per refresh, Alice's write.
	st := d.PigeonholeStats()
	if st.Starts != n+2 || st.InFlight != 0 {
		t.Fatalf("stats %+v after %d refreshes", st, n)
	}
}

// A refreshing read ends with its context, sending its cancel, and the
// same client then reads normally.
func TestReadRefreshEndsWithContext(t *testing.T) {
	d := starvingMock(t)
	alice, _ := dial(t, d)
	bob := pigeonhole.New(mustDial(t, d), pigeonhole.WithReadRefresh(5*time.Millisecond, 5*time.Millisecond))
	ctx := testCtx(t)
	w, r, first := keypair(t, ctx, alice)
	readCtx, cancel := context.WithCancel(ctx)
	got := goRead(readCtx, t, bob, &r, &first)
	if _, err := d.WaitPigeonhole(ctx, func(s mock.PigeonholeStats) bool { return s.Cancels >= 3 }); err != nil {
		t.Fatal(err)
	}
	cancel()
	if res := <-got; !errors.Is(res.err, context.Canceled) {
		t.Fatalf("Read = %q, %v; want context.Canceled", res.msg, res.err)
	}
	if _, err := d.WaitPigeonhole(ctx, func(s mock.PigeonholeStats) bool { return s.InFlight == 0 }); err != nil {
		t.Fatal(err)
	}
	write(t, ctx, alice, &w, &first, []byte("now"))
	if msg, err := read(t, ctx, bob, &r, &first); err != nil || string(msg) != "now" {
		t.Fatalf("Read after = %q, %v", msg, err)
	}
}

func mustDial(t *testing.T, d *mock.Daemon, opts ...client.Option) *client.Client {
	t.Helper()
	_, c := dial(t, d, opts...)
	return c
}

// envelopeDaemon is a scripted daemon for reads: every encrypt_read gets a
// fresh envelope, starts wait, and onCancel says what a cancel of a
// running start sends before the cancel's own reply. It logs the order of
// starts and cancels by envelope number.
type envelopeDaemon struct {
	mu     sync.Mutex
	n      int
	starts map[[32]byte]wire.QueryID
	number map[[32]byte]int
	log    []string
}

func (e *envelopeDaemon) answer(onCancel func(e *envelopeDaemon, start wire.QueryID) *wire.StartResendingEncryptedMessageReply) func(*wire.Request99) []*wire.Response {
	return func(req *wire.Request99) []*wire.Response {
		e.mu.Lock()
		defer e.mu.Unlock()
		switch {
		case req.EncryptRead != nil:
			var h [32]byte
			rand.Read(h[:])
			e.n++
			e.number[h] = e.n
			rep := &wire.EncryptReadReply{QueryID: req.EncryptRead.QueryID, MessageCiphertext: make([]byte, 2000),
				EnvelopeDescriptor: make([]byte, 201), EnvelopeHash: h[:], NextMessageBoxIndex: make([]byte, 104)}
			return []*wire.Response{{EncryptReadReply: rep}}
		case req.StartResendingEncryptedMessage != nil:
			h := [32]byte(req.StartResendingEncryptedMessage.EnvelopeHash)
			e.starts[h] = *req.StartResendingEncryptedMessage.QueryID
			e.log = append(e.log, "start "+itoa(e.number[h]))
			if e.number[h] >= 3 { // the third envelope finds the box
				delete(e.starts, h)
				return []*wire.Response{{StartResendingEncryptedMessageReply: &wire.StartResendingEncryptedMessageReply{
					QueryID: req.StartResendingEncryptedMessage.QueryID, Plaintext: []byte("third")}}}
			}
			return nil
		case req.CancelResendingEncryptedMessage != nil:
			h := [32]byte(req.CancelResendingEncryptedMessage.EnvelopeHash)
			e.log = append(e.log, "cancel "+itoa(e.number[h]))
			var out []*wire.Response
			if q, ok := e.starts[h]; ok {
				delete(e.starts, h)
				if rep := onCancel(e, q); rep != nil {
					rep.QueryID = &q
					out = append(out, &wire.Response{StartResendingEncryptedMessageReply: rep})
				}
			}
			out = append(out, &wire.Response{CancelResendingEncryptedMessageReply: &wire.CancelResendingEncryptedMessageReply{
				QueryID: req.CancelResendingEncryptedMessage.QueryID}})
			return out
		}
		return nil
	}
}

func itoa(n int) string { return string(rune('0' + n)) }

func newEnvelopeDaemon() *envelopeDaemon {
	return &envelopeDaemon{starts: map[[32]byte]wire.QueryID{}, number: map[[32]byte]int{}}
}

func (e *envelopeDaemon) events() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.log...)
}

func scriptedRead(t *testing.T, c *client.Client, opts ...pigeonhole.Option) (*pigeonhole.Client, []byte, error) {
	t.Helper()
	p := pigeonhole.New(c, opts...)
	ctx := testCtx(t)
	var r pigeonhole.ReadCap
	var at pigeonhole.MessageBoxIndex
	env, err := p.EncryptRead(ctx, &r, &at)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := p.Read(ctx, &r, &at, env)
	return p, msg, err
}

// Each refresh starts the new envelope only after the old one ended: the
// daemon's 24 for it, before the cancel's reply.
func TestReadRefreshOneLiveEnvelope(t *testing.T) {
	e := newEnvelopeDaemon()
	c := scriptedDaemon(t, e.answer(func(*envelopeDaemon, wire.QueryID) *wire.StartResendingEncryptedMessageReply {
		return &wire.StartResendingEncryptedMessageReply{ErrorCode: 24}
	}))
	p, msg, err := scriptedRead(t, c, pigeonhole.WithReadRefresh(time.Millisecond, time.Millisecond))
	if err != nil || string(msg) != "third" {
		t.Fatalf("Read = %q, %v", msg, err)
	}
	want := []string{"start 1", "cancel 1", "start 2", "cancel 2", "start 3"}
	// A refresh due just as the third answer comes may cancel it too
	// (harmless: the answer is taken).
	if got := e.events(); !equal(got, want) && !equal(got, append(want, "cancel 3")) {
		t.Fatalf("daemon saw %q, want %q", got, want)
	}
	if n := p.Stats().ReadRefreshes; n != 2 {
		t.Fatalf("ReadRefreshes = %d, want 2", n)
	}
}

// A cancel that finds nothing (the start still queued in the daemon)
// answers alone: the read stops the old start's call (which cancels it
// again) before it starts the new envelope.
func TestReadRefreshCancelFindsNothing(t *testing.T) {
	e := newEnvelopeDaemon()
	c := scriptedDaemon(t, e.answer(func(*envelopeDaemon, wire.QueryID) *wire.StartResendingEncryptedMessageReply { return nil }))
	_, msg, err := scriptedRead(t, c, pigeonhole.WithReadRefresh(time.Millisecond, time.Millisecond))
	if err != nil || string(msg) != "third" {
		t.Fatalf("Read = %q, %v", msg, err)
	}
	got := e.events()
	// Each old envelope is cancelled (once by the refresh, maybe again by
	// its stopped call) before the next one starts.
	var starts []string
	last := 0
	for _, ev := range got {
		if ev[:5] == "start" {
			starts = append(starts, ev)
			n := int(ev[len(ev)-1] - '0')
			if n > 1 && last != n-1 {
				t.Fatalf("start %d not after a cancel of %d: %q", n, n-1, got)
			}
		} else {
			last = int(ev[len(ev)-1] - '0')
		}
	}
	if !equal(starts, []string{"start 1", "start 2", "start 3"}) {
		t.Fatalf("daemon saw %q", got)
	}
}

// The old envelope's answer, arriving while its cancel is on its way,
// is the read's answer: it is not lost to the refresh.
func TestReadRefreshKeepsRacingAnswer(t *testing.T) {
	e := newEnvelopeDaemon()
	var raced atomic.Int32
	c := scriptedDaemon(t, e.answer(func(*envelopeDaemon, wire.QueryID) *wire.StartResendingEncryptedMessageReply {
		raced.Add(1)
		return &wire.StartResendingEncryptedMessageReply{Plaintext: []byte("raced")}
	}))
	p, msg, err := scriptedRead(t, c, pigeonhole.WithReadRefresh(time.Millisecond, time.Millisecond))
	if err != nil || string(msg) != "raced" {
		t.Fatalf("Read = %q, %v; want the old envelope's answer", msg, err)
	}
	if got := e.events(); !equal(got, []string{"start 1", "cancel 1"}) || raced.Load() != 1 {
		t.Fatalf("daemon saw %q", got)
	}
	if n := p.Stats().ReadRefreshes; n != 0 {
		t.Fatalf("ReadRefreshes = %d, want 0 (the refresh did not complete)", n)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ReadLarge's waiting reads refresh too: a large payload written after the
// reader's first envelope starved is read back.
func TestReadLargeRefreshes(t *testing.T) {
	d := starvingMock(t)
	alice, _ := dial(t, d)
	bob := pigeonhole.New(mustDial(t, d), pigeonhole.WithReadRefresh(20*time.Millisecond, 40*time.Millisecond))
	ctx := testCtx(t)
	w, r, _ := keypair(t, ctx, alice)
	got := make(chan readResult, 1)
	go func() {
		msg, err := bob.NewReader(r).ReadLarge(ctx)
		got <- readResult{msg, err}
	}()
	if _, err := d.WaitPigeonhole(ctx, func(s mock.PigeonholeStats) bool { return s.Cancels >= 1 && s.Starved == 1 }); err != nil {
		t.Fatal(err)
	}
	payload := bytes.Repeat([]byte("large "), 1000)
	if err := alice.NewWriter(w).WriteLarge(ctx, payload); err != nil {
		t.Fatal(err)
	}
	res := <-got
	if res.err != nil || !bytes.Equal(res.msg, payload) {
		t.Fatalf("ReadLarge = %d bytes, %v", len(res.msg), res.err)
	}
	if bob.Stats().ReadRefreshes < 1 {
		t.Fatal("no refresh counted")
	}
}
