package mock_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

// never is a condition that does not hold.
func never(mock.PigeonholeStats) bool { return false }

// idle returns a daemon that is not served: its counters stay at zero.
// (A daemon from Start that the test closes before its Serve goroutine
// ran reports Serve's ErrClosed; these tests end that quickly.)
func idle(t *testing.T) *mock.Daemon {
	d := mock.New(mock.WithGeneration(wire.Generation99))
	t.Cleanup(func() { d.Close() })
	return d
}

// A condition that already holds is answered at once, even on a context
// that has ended: the caller asked about the counters, not the clock.
func TestWaitPigeonholeAlreadyTrue(t *testing.T) {
	d := idle(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st, err := d.WaitPigeonhole(ctx, func(st mock.PigeonholeStats) bool { return st.InFlight == 0 })
	if err != nil || st != d.PigeonholeStats() {
		t.Fatalf("WaitPigeonhole = %+v, %v", st, err)
	}
}

// A condition that does not come true ends with the context's error,
// and the waiter leaves nothing behind.
func TestWaitPigeonholeContextEnds(t *testing.T) {
	d := idle(t)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.WaitPigeonhole(ctx, never); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
	// A deadline that passes while the waiter blocks: it returns the
	// last snapshot with the deadline's error.
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	st, err := d.WaitPigeonhole(ctx, never)
	if !errors.Is(err, context.DeadlineExceeded) || st != (mock.PigeonholeStats{}) {
		t.Fatalf("timeout: %+v, %v", st, err)
	}
	// A waiter blocked in another goroutine returns when its context is
	// cancelled.
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := d.WaitPigeonhole(ctx, never)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled while blocked: %v", err)
	}
}

// wakeAfter starts n waiters for cond, lets each look at the counters
// once (and find cond false), then makes change, and checks that every
// waiter returns counters that satisfy cond. The waiters looked before
// the change, so only a signal the daemon sends after it can wake them:
// a change that does not signal hangs the test until its deadline.
func wakeAfter(t *testing.T, d *mock.Daemon, n int, what string, change func(), cond func(mock.PigeonholeStats) bool) {
	t.Helper()
	ctx := ctxTimeout(t)
	var looked sync.WaitGroup
	looked.Add(n)
	errs := make(chan error, n)
	for range n {
		go func() {
			first, early := true, false
			st, err := d.WaitPigeonhole(ctx, func(st mock.PigeonholeStats) bool {
				if first {
					first, early = false, cond(st)
					looked.Done()
					return false
				}
				return cond(st)
			})
			switch {
			case early:
				err = fmt.Errorf("true before the change")
			case err == nil && !cond(st):
				err = fmt.Errorf("returned %+v", st)
			}
			errs <- err
		}()
	}
	looked.Wait()
	change()
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}
}

// Waiters wake at each kind of change the daemon makes, on its own
// goroutines. Each change below is the only one the daemon makes after
// the waiters looked, so each signal is tested on its own: a start
// registered, a cancel that finds it and one that finds nothing, held
// answers released, an answer that ends an operation, an answer held,
// held answers dropped with their connection, an answer lost while its
// session is away, a connection closed for a bad length. Several waiters
// on one change all wake.
func TestWaitPigeonholeWakes(t *testing.T) {
	e := start(t, wire.Generation99)
	c := e.connect(nil)
	s := c.keypair()
	type st = mock.PigeonholeStats
	wait := func(what string, cond func(st) bool) {
		t.Helper()
		if st, err := e.d.WaitPigeonhole(ctxTimeout(t), cond); err != nil {
			t.Fatalf("waiting for %s: %+v, %v", what, st, err)
		}
	}

	// A ciphertext the mock did not make: the courier stays silent, and
	// the start changes nothing but its registration.
	er := c.encryptRead(s.r, s.first)
	silent := *er
	silent.MessageCiphertext = bytes.Repeat([]byte{1}, len(er.MessageCiphertext))
	var q, cq wire.QueryID
	wakeAfter(t, e.d, 3, "a start", func() { q = c.startRead(s.r, s.first, &silent, false) },
		func(st st) bool { return st.Starts == 1 && st.InFlight == 1 })
	wakeAfter(t, e.d, 1, "its cancel", func() { cq = c.cancelMessage(er.EnvelopeHash) },
		func(st st) bool { return st.Cancels == 1 && st.InFlight == 0 })
	c.expectCancelled(q, cq)
	wakeAfter(t, e.d, 1, "a cancel of nothing", func() { cq = c.cancelMessage(er.EnvelopeHash) },
		func(st st) bool { return st.Cancels == 2 })
	if r := c.reply(wire.ReplyCancelResendingEncryptedMessage, cq); code(t, r) != 0 {
		t.Fatal("cancel of nothing")
	}

	// A cancelled operation's held answer stays held until released,
	// and its release changes nothing else.
	e.d.HoldPigeonhole()
	ew := c.encryptWrite(s.w, s.first, []byte("x"))
	q, _ = c.startWrite(s.w, ew, false)
	wait("a held answer", func(st st) bool { return st.Held == 1 && st.InFlight == 1 })
	c.expectCancelled(q, c.cancelMessage(ew.EnvelopeHash))
	wakeAfter(t, e.d, 1, "the release", e.d.ReleasePigeonhole, func(st st) bool { return st.Held == 0 })

	// A read of an empty box waits at the daemon until a write to the
	// box answers it, a round trip later.
	er = c.encryptRead(s.r, s.first)
	q = c.startRead(s.r, s.first, er, false)
	wait("the read", func(st st) bool { return st.Starts == 3 && st.InFlight == 1 })
	writeBox := func(w, index []byte) func() {
		return func() {
			if !e.d.WriteBox(w, index, []byte("y")) {
				t.Error("WriteBox")
			}
		}
	}
	wakeAfter(t, e.d, 1, "the answer", writeBox(s.w, s.first), func(st st) bool { return st.InFlight == 0 })
	if r := c.startReply(q); string(r.Plaintext) != "y" {
		t.Fatalf("read: %+v", r)
	}

	// The same, answered while answers are held: the answer is held.
	// (The read's first answer is held and released first: when the
	// release returns, the read waits for its box.)
	next := er.NextMessageBoxIndex
	er = c.encryptRead(s.r, next)
	e.d.HoldPigeonhole()
	q = c.startRead(s.r, next, er, false)
	wait("the read", func(st st) bool { return st.Starts == 4 && st.InFlight == 1 && st.Held == 1 })
	e.d.ReleasePigeonhole()
	e.d.HoldPigeonhole()
	wakeAfter(t, e.d, 1, "the held answer", writeBox(s.w, next), func(st st) bool { return st.Held == 1 })
	// Cancelled, it stays held until its connection, which has no
	// session, goes.
	c.expectCancelled(q, c.cancelMessage(er.EnvelopeHash))
	wakeAfter(t, e.d, 1, "the connection's end", func() { c.conn.Close() }, func(st st) bool { return st.Held == 0 })
	e.d.ReleasePigeonhole()

	// An answer that comes while its session is away is lost.
	token := wire.NewToken()
	c = e.connect(&token)
	s = c.keypair()
	er = c.encryptRead(s.r, s.first)
	c.startRead(s.r, s.first, er, false)
	wait("the read", func(st st) bool { return st.Starts == 5 && st.InFlight == 1 })
	e.d.DropConnections()
	c.expectEOF()
	wakeAfter(t, e.d, 1, "the lost answer", writeBox(s.w, s.first), func(st st) bool { return st.Lost == 1 && st.InFlight == 1 })

	// A bad length closes the connection; its session stays, so nothing
	// else changes.
	c = e.connect(&token)
	wakeAfter(t, e.d, 1, "a bad length", func() {
		c.send(wire.Request99{EncryptRead: &wire.EncryptRead{ReadCap: make([]byte, 10), MessageBoxIndex: s.first}})
	}, func(st st) bool { return st.Closed == 1 })
	c.expectEOF()
}

// A daemon that closes first ends the wait with ErrClosed.
func TestWaitPigeonholeClosed(t *testing.T) {
	d := mock.New(mock.WithGeneration(wire.Generation99))
	done := make(chan error, 1)
	go func() {
		_, err := d.WaitPigeonhole(context.Background(), never)
		done <- err
	}()
	d.Close()
	if err := <-done; !errors.Is(err, mock.ErrClosed) {
		t.Fatalf("WaitPigeonhole on a closed daemon: %v", err)
	}
	// The final counters still answer a condition they satisfy.
	if _, err := d.WaitPigeonhole(context.Background(), func(st mock.PigeonholeStats) bool { return st.Starts == 0 }); err != nil {
		t.Fatalf("after Close: %v", err)
	}
}
