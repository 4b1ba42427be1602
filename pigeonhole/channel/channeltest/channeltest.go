// Package channeltest is the conformance suite of channel.Store: the
// bundled stores pass it, and a store an application writes over its own
// database runs it from a test of its own:
//
//	func TestMyStore(t *testing.T) {
//		channeltest.Run(t, func(t *testing.T) channel.Store { return openMyStore(t) })
//	}
package channeltest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/pigeonhole/channel"
)

// Run checks the semantics of the stores newStore returns: each call
// gives a fresh, empty store, which Run closes at the end of the subtest.
func Run(t *testing.T, newStore func(t *testing.T) channel.Store) {
	open := func(t *testing.T) channel.Store {
		t.Helper()
		s := newStore(t)
		t.Cleanup(func() { s.Close() })
		return s
	}
	for _, tc := range []struct {
		name string
		f    func(*testing.T, channel.Store)
	}{
		{"CreateLoad", testCreateLoad},
		{"CreateExists", testCreateExists},
		{"Missing", testMissing},
		{"List", testList},
		{"CommitRecords", testCommitRecords},
		{"CommitState", testCommitState},
		{"CommitRefused", testCommitRefused},
		{"RecordKinds", testRecordKinds},
		{"Copies", testCopies},
		{"Delete", testDelete},
		{"Isolation", testIsolation},
		{"Concurrent", testConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, open(t)) })
	}
	t.Run("Closed", func(t *testing.T) {
		s := newStore(t)
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		ctx := context.Background()
		if err := s.Create(ctx, WriteState("a")); err == nil {
			t.Error("Create after Close succeeded")
		}
		if _, _, err := s.Load(ctx, "a"); err == nil {
			t.Error("Load after Close succeeded")
		}
		if err := s.Commit(ctx, "a", channel.Change{}); err == nil {
			t.Error("Commit after Close succeeded")
		}
	})
}

// RunPersistent checks that a store survives Close: open opens the store
// at location (a fresh path in a temporary directory per subtest), and
// opening the same location again after Close must give the same data.
func RunPersistent(t *testing.T, open func(t *testing.T, location string) (channel.Store, error)) {
	reopen := func(t *testing.T, loc string) channel.Store {
		t.Helper()
		s, err := open(t, loc)
		if err != nil {
			t.Fatalf("open %s: %v", loc, err)
		}
		return s
	}
	t.Run("Survives", func(t *testing.T) {
		ctx := context.Background()
		loc := filepath.Join(t.TempDir(), "store")
		s := reopen(t, loc)
		w, r := WriteState("w"), ReadState("r")
		mustCreate(t, s, w)
		mustCreate(t, s, r)
		w.EndSeq = 3
		recs := []channel.Record{EnvelopeRecord(1), CopyRecord(2)}
		mustCommit(t, s, "w", channel.Change{State: &w, Put: recs})
		msgs := []channel.Record{MessageRecord(1, "one"), MessageRecord(2, "")}
		mustCommit(t, s, "r", channel.Change{Put: msgs})
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		s = reopen(t, loc)
		defer s.Close()
		checkLoad(t, s, "w", w, recs)
		checkLoad(t, s, "r", r, msgs)
		if err := s.Delete(ctx, "r"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		s.Close()
		s = reopen(t, loc)
		defer s.Close()
		if _, _, err := s.Load(ctx, "r"); !errors.Is(err, channel.ErrNotFound) {
			t.Errorf("deleted channel after reopen: %v, want ErrNotFound", err)
		}
	})
	t.Run("RefusedLeavesNothing", func(t *testing.T) {
		loc := filepath.Join(t.TempDir(), "store")
		s := reopen(t, loc)
		w := WriteState("w")
		mustCreate(t, s, w)
		bad := EnvelopeRecord(2)
		bad.Message = []byte("two kinds")
		next := w
		next.EndSeq = 9
		if err := s.Commit(context.Background(), "w", channel.Change{State: &next, Put: []channel.Record{EnvelopeRecord(1), bad}}); err == nil {
			t.Fatal("Commit of a malformed record succeeded")
		}
		s.Close()
		s = reopen(t, loc)
		defer s.Close()
		checkLoad(t, s, "w", w, nil)
	})
}

// WriteState returns the state of a new write channel on random caps.
func WriteState(name string) channel.State {
	var w pigeonhole.WriteCap
	rand.Read(w[:])
	first := w.FirstIndex()
	return channel.State{Name: name, Kind: channel.KindWrite, WriteCap: w, ReadCap: w.ReadCap(), Start: first, Next: first, NextSeq: 1, End: first, EndSeq: 1}
}

// ReadState returns the state of a new read channel on a random cap.
func ReadState(name string) channel.State {
	var r pigeonhole.ReadCap
	rand.Read(r[:])
	first := r.FirstIndex()
	return channel.State{Name: name, Kind: channel.KindRead, ReadCap: r, Start: first, Next: first, NextSeq: 1, End: first, EndSeq: 1}
}

func randomIndex() pigeonhole.MessageBoxIndex {
	var i pigeonhole.MessageBoxIndex
	rand.Read(i[:])
	return i
}

// EnvelopeRecord returns a pending-write record of random content.
func EnvelopeRecord(seq uint64) channel.Record {
	env := &pigeonhole.Envelope{Ciphertext: make([]byte, 100), Descriptor: make([]byte, 40), Next: randomIndex()}
	rand.Read(env.Ciphertext)
	rand.Read(env.Descriptor)
	rand.Read(env.Hash[:])
	return channel.Record{Seq: seq, Index: randomIndex(), Envelope: env}
}

// CopyRecord returns a pending-copy record of a random temporary cap.
func CopyRecord(seq uint64) channel.Record {
	var c pigeonhole.WriteCap
	rand.Read(c[:])
	return channel.Record{Seq: seq, Index: randomIndex(), CopyCap: &c}
}

// MessageRecord returns a received-message record.
func MessageRecord(seq uint64, msg string) channel.Record {
	return channel.Record{Seq: seq, Index: randomIndex(), Message: []byte(msg)}
}

func mustCreate(t *testing.T, s channel.Store, st channel.State) {
	t.Helper()
	if err := s.Create(context.Background(), st); err != nil {
		t.Fatalf("Create %q: %v", st.Name, err)
	}
}

func mustCommit(t *testing.T, s channel.Store, name string, c channel.Change) {
	t.Helper()
	if err := s.Commit(context.Background(), name, c); err != nil {
		t.Fatalf("Commit %q: %v", name, err)
	}
}

// checkLoad loads name and compares it with want and records.
func checkLoad(t *testing.T, s channel.Store, name string, want channel.State, records []channel.Record) {
	t.Helper()
	st, recs, err := s.Load(context.Background(), name)
	if err != nil {
		t.Fatalf("Load %q: %v", name, err)
	}
	if st != want {
		t.Errorf("Load %q: state %v, want %v (or the caps differ)", name, st, want)
	}
	if len(recs) != len(records) {
		t.Fatalf("Load %q: %d records, want %d", name, len(recs), len(records))
	}
	for i := range recs {
		if err := sameRecord(recs[i], records[i]); err != nil {
			t.Errorf("Load %q: record %d: %v", name, i, err)
		}
	}
}

// sameRecord compares two records field by field (Record holds
// pointers and slices).
func sameRecord(got, want channel.Record) error {
	if got.Seq != want.Seq || got.Index != want.Index {
		return fmt.Errorf("seq/index %d/%v, want %d/%v", got.Seq, got.Index, want.Seq, want.Index)
	}
	if (got.Envelope == nil) != (want.Envelope == nil) || (got.CopyCap == nil) != (want.CopyCap == nil) || (got.Message == nil) != (want.Message == nil) {
		return fmt.Errorf("kind differs: got %v, want %v", got, want)
	}
	if e, w := got.Envelope, want.Envelope; e != nil {
		if string(e.Ciphertext) != string(w.Ciphertext) || string(e.Descriptor) != string(w.Descriptor) || e.Hash != w.Hash || e.Next != w.Next {
			return fmt.Errorf("envelope differs")
		}
	}
	if got.CopyCap != nil && *got.CopyCap != *want.CopyCap {
		return fmt.Errorf("copy cap differs")
	}
	if string(got.Message) != string(want.Message) {
		return fmt.Errorf("message differs: %d bytes, want %d", len(got.Message), len(want.Message))
	}
	return nil
}

func testCreateLoad(t *testing.T, s channel.Store) {
	w, r := WriteState("writer"), ReadState("reader")
	mustCreate(t, s, w)
	mustCreate(t, s, r)
	checkLoad(t, s, "writer", w, nil)
	checkLoad(t, s, "reader", r, nil)
	long := WriteState(string(make([]byte, channel.MaxNameLength)))
	mustCreate(t, s, long)
	checkLoad(t, s, long.Name, long, nil)
}

func testCreateExists(t *testing.T, s channel.Store) {
	w := WriteState("a")
	mustCreate(t, s, w)
	if err := s.Create(context.Background(), ReadState("a")); !errors.Is(err, channel.ErrExists) {
		t.Fatalf("second Create: %v, want ErrExists", err)
	}
	checkLoad(t, s, "a", w, nil)
}

func testMissing(t *testing.T, s channel.Store) {
	ctx := context.Background()
	if _, _, err := s.Load(ctx, "nope"); !errors.Is(err, channel.ErrNotFound) {
		t.Errorf("Load: %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "nope"); !errors.Is(err, channel.ErrNotFound) {
		t.Errorf("Delete: %v, want ErrNotFound", err)
	}
	if err := s.Commit(ctx, "nope", channel.Change{Put: []channel.Record{EnvelopeRecord(1)}}); !errors.Is(err, channel.ErrNotFound) {
		t.Errorf("Commit: %v, want ErrNotFound", err)
	}
	if _, _, err := s.Load(ctx, "nope"); !errors.Is(err, channel.ErrNotFound) {
		t.Errorf("Load after a Commit to a missing channel: %v, want ErrNotFound", err)
	}
}

func testList(t *testing.T, s channel.Store) {
	sts, err := s.List(context.Background())
	if err != nil || len(sts) != 0 {
		t.Fatalf("List of an empty store: %v, %v", sts, err)
	}
	c, a, b := WriteState("c"), ReadState("a"), WriteState("b")
	for _, st := range []channel.State{c, a, b} {
		mustCreate(t, s, st)
	}
	sts, err = s.List(context.Background())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	want := []channel.State{a, b, c}
	if len(sts) != len(want) {
		t.Fatalf("List: %d channels, want %d", len(sts), len(want))
	}
	for i := range want {
		if sts[i] != want[i] {
			t.Errorf("List[%d] = %v, want %v", i, sts[i], want[i])
		}
	}
}

func testCommitRecords(t *testing.T, s channel.Store) {
	w := WriteState("w")
	mustCreate(t, s, w)
	r3, r1, r2 := EnvelopeRecord(3), EnvelopeRecord(1), CopyRecord(2)
	mustCommit(t, s, "w", channel.Change{Put: []channel.Record{r3, r1}})
	mustCommit(t, s, "w", channel.Change{Put: []channel.Record{r2}})
	checkLoad(t, s, "w", w, []channel.Record{r1, r2, r3})
	// A put replaces the record of the same Seq; a delete of a missing
	// one is no error; deletes apply before puts.
	r2b := EnvelopeRecord(2)
	mustCommit(t, s, "w", channel.Change{Put: []channel.Record{r2b}, Delete: []uint64{1, 2, 99}})
	checkLoad(t, s, "w", w, []channel.Record{r2b, r3})
	// Large sequence numbers keep their order.
	big := EnvelopeRecord(1 << 40)
	mustCommit(t, s, "w", channel.Change{Put: []channel.Record{big}, Delete: []uint64{2}})
	checkLoad(t, s, "w", w, []channel.Record{r3, big})
}

func testCommitState(t *testing.T, s channel.Store) {
	w := WriteState("w")
	mustCreate(t, s, w)
	r1 := EnvelopeRecord(1)
	next := w
	next.End, next.EndSeq = randomIndex(), 2
	mustCommit(t, s, "w", channel.Change{State: &next, Put: []channel.Record{r1}})
	checkLoad(t, s, "w", next, []channel.Record{r1})
	acked := next
	acked.Next, acked.NextSeq = next.End, 2
	mustCommit(t, s, "w", channel.Change{State: &acked, Delete: []uint64{1}})
	checkLoad(t, s, "w", acked, nil)
}

// testCommitRefused: a Change that fails Check applies nothing, not
// even its valid parts.
func testCommitRefused(t *testing.T, s channel.Store) {
	ctx := context.Background()
	w := WriteState("w")
	mustCreate(t, s, w)
	r1 := EnvelopeRecord(1)
	mustCommit(t, s, "w", channel.Change{Put: []channel.Record{r1}})
	next := w
	next.EndSeq = 5
	renamed := w
	renamed.Name = "other"
	rekinded := w
	rekinded.Kind = channel.KindRead
	backwards := w
	backwards.NextSeq, backwards.EndSeq = 5, 4
	twoKinds := EnvelopeRecord(2)
	twoKinds.CopyCap = CopyRecord(2).CopyCap
	for name, c := range map[string]channel.Change{
		"renamed":   {State: &renamed, Delete: []uint64{1}},
		"rekinded":  {State: &rekinded, Delete: []uint64{1}},
		"backwards": {State: &backwards, Delete: []uint64{1}},
		"two kinds": {State: &next, Put: []channel.Record{EnvelopeRecord(3), twoKinds}, Delete: []uint64{1}},
		"no kind":   {State: &next, Put: []channel.Record{{Seq: 4}}, Delete: []uint64{1}},
	} {
		if err := s.Commit(ctx, "w", c); err == nil {
			t.Errorf("Commit of a change %s succeeded", name)
		}
		checkLoad(t, s, "w", w, []channel.Record{r1})
	}
}

func testRecordKinds(t *testing.T, s channel.Store) {
	r := ReadState("r")
	mustCreate(t, s, r)
	// An empty message stays a message (not nil), and a message of a
	// full box keeps its bytes.
	full := make([]byte, 2000)
	rand.Read(full)
	recs := []channel.Record{MessageRecord(1, ""), {Seq: 2, Index: randomIndex(), Message: full}, EnvelopeRecord(3), CopyRecord(4)}
	mustCommit(t, s, "r", channel.Change{Put: recs})
	checkLoad(t, s, "r", r, recs)
}

// testCopies: the store keeps its own copies of what it is given and
// hands out copies of what it keeps.
func testCopies(t *testing.T, s channel.Store) {
	r := ReadState("r")
	mustCreate(t, s, r)
	rec := MessageRecord(1, "hello")
	env := EnvelopeRecord(2)
	mustCommit(t, s, "r", channel.Change{Put: []channel.Record{rec, env}})
	want := []channel.Record{MessageRecord(1, "hello"), env}
	want[0].Index = rec.Index
	wantEnv := *env.Envelope
	wantEnv.Ciphertext = append([]byte(nil), env.Envelope.Ciphertext...)
	want[1].Envelope = &wantEnv
	rec.Message[0] = 'J'
	env.Envelope.Ciphertext[0] ^= 0xff
	checkLoad(t, s, "r", r, want)
	_, got, err := s.Load(context.Background(), "r")
	if err != nil {
		t.Fatal(err)
	}
	got[0].Message[0] = 'J'
	got[1].Envelope.Ciphertext[0] ^= 0xff
	checkLoad(t, s, "r", r, want)
}

func testDelete(t *testing.T, s channel.Store) {
	ctx := context.Background()
	w := WriteState("w")
	mustCreate(t, s, w)
	mustCommit(t, s, "w", channel.Change{Put: []channel.Record{EnvelopeRecord(1)}})
	if err := s.Delete(ctx, "w"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, _, err := s.Load(ctx, "w"); !errors.Is(err, channel.ErrNotFound) {
		t.Fatalf("Load after Delete: %v, want ErrNotFound", err)
	}
	// A new channel of the same name starts empty.
	w2 := ReadState("w")
	mustCreate(t, s, w2)
	checkLoad(t, s, "w", w2, nil)
}

func testIsolation(t *testing.T, s channel.Store) {
	a, b := WriteState("a"), WriteState("b")
	mustCreate(t, s, a)
	mustCreate(t, s, b)
	ra := EnvelopeRecord(1)
	mustCommit(t, s, "a", channel.Change{Put: []channel.Record{ra}})
	checkLoad(t, s, "a", a, []channel.Record{ra})
	checkLoad(t, s, "b", b, nil)
	if err := s.Delete(context.Background(), "b"); err != nil {
		t.Fatal(err)
	}
	checkLoad(t, s, "a", a, []channel.Record{ra})
}

// testConcurrent: commits from many goroutines all land.
func testConcurrent(t *testing.T, s channel.Store) {
	const writers, each = 8, 10
	w := WriteState("w")
	mustCreate(t, s, w)
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				seq := uint64(g*each + i + 1)
				if err := s.Commit(context.Background(), "w", channel.Change{Put: []channel.Record{MessageRecord(seq, "x")}}); err != nil {
					errs <- err
				}
				if _, _, err := s.Load(context.Background(), "w"); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	_, recs, err := s.Load(context.Background(), "w")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != writers*each {
		t.Fatalf("%d records, want %d", len(recs), writers*each)
	}
	for i, r := range recs {
		if r.Seq != uint64(i+1) {
			t.Fatalf("record %d has seq %d", i, r.Seq)
		}
	}
}
