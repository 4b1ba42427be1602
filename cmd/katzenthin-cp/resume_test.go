package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/katzenthin/katzenthin/daemonflag"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/wire"
)

// cancelOn is a stderr that cancels a run once a line matching its
// pattern is printed: the run is interrupted after that much progress,
// however fast the mock.
type cancelOn struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	pattern *regexp.Regexp
	cancel  context.CancelFunc
}

func (c *cancelOn) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(b)
	if c.pattern.Match(c.buf.Bytes()) {
		c.cancel()
	}
	return len(b), nil
}

// interrupt runs the program until it prints a line matching pattern,
// then cancels it, and checks that it says so and exits 1.
func interrupt(t *testing.T, pattern string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stderr := &cancelOn{pattern: regexp.MustCompile(pattern), cancel: cancel}
	var stdout bytes.Buffer
	code := run(ctx, args, &stdout, stderr)
	if code != daemonflag.ExitFailure || !strings.Contains(stderr.buf.String(), "interrupted: run the same command again") {
		t.Fatalf("%s: exit %d, stderr %q; want it interrupted", args[0], code, stderr.buf.String())
	}
}

// resumedAfter returns the byte count a resumed run says it starts from.
func resumedAfter(t *testing.T, stderr string) int {
	t.Helper()
	m := regexp.MustCompile(`resuming after (\d+) bytes`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("the second run did not resume: %q", stderr)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// streamEnds checks that nothing is written in the box after the file's
// last one: a resumed send wrote no box twice over.
func streamEnds(t *testing.T, d *mock.Daemon, k keys, boxes int) {
	t.Helper()
	var w pigeonhole.WriteCap
	var idx pigeonhole.MessageBoxIndex
	if err := w.UnmarshalText([]byte(k.writeCap)); err != nil {
		t.Fatal(err)
	}
	if err := idx.UnmarshalText([]byte(k.index)); err != nil {
		t.Fatal(err)
	}
	c := dial(t, d)
	p := pigeonhole.New(c)
	r := p.ResumeReader(pigeonhole.ReaderState{Cap: w.ReadCap(), Next: idx})
	for i := range boxes {
		if _, err := r.TryRead(t.Context()); err != nil {
			t.Fatalf("box %d: %v", i+1, err)
		}
	}
	if _, err := r.TryRead(t.Context()); !errors.Is(err, pigeonhole.ErrBoxNotFound) {
		t.Fatalf("box %d after the file's %d: %v, want it empty", boxes+1, boxes, err)
	}
}

func TestSendResumes(t *testing.T) {
	d := mock.Start(t, mock.WithGeneration(wire.Generation99))
	k := genkeys(t, d.Addr())
	src, dst, state := t.TempDir(), t.TempDir(), t.TempDir()
	const size = 30 * 1549 // 31 boxes in no-copy mode
	want := randomFile(t, src, "f.bin", size)
	args := []string{"send", "-daemon", d.Addr(), "-state", filepath.Join(state, "send"), "-no-copy",
		"-write-cap", k.writeCap, "-index", k.index, filepath.Join(src, "f.bin")}

	interrupt(t, `sent \d+/\d+ bytes \([3-9]\d%\)`, args...)
	r := mustCP(t, args...)
	if n := resumedAfter(t, r.stderr); n == 0 || n >= size {
		t.Fatalf("resumed after %d bytes of %d", n, size)
	}
	mustCP(t, "receive", "-daemon", d.Addr(), "-state", filepath.Join(state, "receive"),
		"-read-cap", k.readCap, "-index", k.index, dst)
	if got, _ := os.ReadFile(filepath.Join(dst, "f.bin")); !bytes.Equal(got, want) {
		t.Fatalf("received %d bytes that differ from the %d sent", len(got), len(want))
	}
	streamEnds(t, d, k, 31)

	// Once done, the same command has nothing to do.
	if r := mustCP(t, args...); !strings.Contains(r.stdout, "nothing to do") {
		t.Errorf("a finished send ran again: %q", r.stdout)
	}
}

func TestReceiveResumes(t *testing.T) {
	d := mock.Start(t, mock.WithGeneration(wire.Generation99))
	k := genkeys(t, d.Addr())
	src, dst, state := t.TempDir(), t.TempDir(), t.TempDir()
	want := randomFile(t, src, "f.bin", 30*1549)
	mustCP(t, "send", "-daemon", d.Addr(), "-state", filepath.Join(state, "send"), "-no-copy",
		"-write-cap", k.writeCap, "-index", k.index, filepath.Join(src, "f.bin"))

	args := []string{"receive", "-daemon", d.Addr(), "-state", filepath.Join(state, "receive"),
		"-read-cap", k.readCap, "-index", k.index, dst}
	interrupt(t, `received \d+/\d+ bytes \([3-9]\d%\)`, args...)
	if _, err := os.Stat(filepath.Join(dst, "f.bin")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("an interrupted receive left the file under its name")
	}
	r := mustCP(t, args...)
	if n := resumedAfter(t, r.stderr); n == 0 || n >= len(want) {
		t.Fatalf("resumed after %d bytes of %d", n, len(want))
	}
	if got, _ := os.ReadFile(filepath.Join(dst, "f.bin")); !bytes.Equal(got, want) {
		t.Fatalf("received %d bytes that differ from the %d sent", len(got), len(want))
	}
	if entries, _ := os.ReadDir(dst); len(entries) != 1 {
		t.Errorf("%d entries in the destination, want the file only", len(entries))
	}
}

// A receive started before the send waits for it.
func TestReceiveWaitsForSend(t *testing.T) {
	for _, mode := range []string{"copy", "no-copy"} {
		t.Run(mode, func(t *testing.T) {
			d := mock.Start(t, mock.WithGeneration(wire.Generation99))
			k := genkeys(t, d.Addr())
			src, dst, state := t.TempDir(), t.TempDir(), t.TempDir()
			want := randomFile(t, src, "f.bin", 4000)
			received := make(chan result, 1)
			go func() {
				received <- cp(t.Context(), "receive", "-daemon", d.Addr(), "-state", filepath.Join(state, "receive"),
					"-read-cap", k.readCap, "-index", k.index, dst)
			}()
			// The receive's read of the first box is in flight, waiting.
			if _, err := d.WaitPigeonhole(t.Context(), func(s mock.PigeonholeStats) bool { return s.InFlight >= 1 }); err != nil {
				t.Fatal(err)
			}
			args := []string{"send", "-daemon", d.Addr(), "-state", filepath.Join(state, "send"),
				"-write-cap", k.writeCap, "-index", k.index, filepath.Join(src, "f.bin")}
			if mode == "no-copy" {
				args = append(args, "-no-copy")
			}
			mustCP(t, args...)
			if r := <-received; r.code != 0 {
				t.Fatalf("receive: exit %d: %s", r.code, r.stderr)
			}
			if got, _ := os.ReadFile(filepath.Join(dst, "f.bin")); !bytes.Equal(got, want) {
				t.Fatalf("received %d bytes that differ from the %d sent", len(got), len(want))
			}
		})
	}
}

// A copy-mode send interrupted before its copy command starts again
// and the file arrives whole, in the boxes of one copy.
func TestCopySendResumes(t *testing.T) {
	d := mock.Start(t, mock.WithGeneration(wire.Generation99))
	k := genkeys(t, d.Addr())
	src, dst, state := t.TempDir(), t.TempDir(), t.TempDir()
	want := randomFile(t, src, "f.bin", 6000)
	args := []string{"send", "-daemon", d.Addr(), "-state", filepath.Join(state, "send"),
		"-write-cap", k.writeCap, "-index", k.index, filepath.Join(src, "f.bin")}
	interrupt(t, `copy mode: `, args...)
	mustCP(t, args...)
	mustCP(t, "receive", "-daemon", d.Addr(), "-state", filepath.Join(state, "receive"),
		"-read-cap", k.readCap, "-index", k.index, dst)
	if got, _ := os.ReadFile(filepath.Join(dst, "f.bin")); !bytes.Equal(got, want) {
		t.Fatalf("received %d bytes that differ from the %d sent", len(got), len(want))
	}
	streamEnds(t, d, k, len(rustBoxes(t, "f.bin", want, false)))
}

// A state that belongs to another transfer is not continued: another
// file sent to the same stream and index, or a receive into another
// directory.
func TestStateOfAnotherTransfer(t *testing.T) {
	d := mock.Start(t, mock.WithGeneration(wire.Generation99))
	k := genkeys(t, d.Addr())
	src, state := t.TempDir(), t.TempDir()
	randomFile(t, src, "a.bin", 100)
	randomFile(t, src, "b.bin", 100)
	send := func(file string) result {
		return cp(t.Context(), "send", "-daemon", d.Addr(), "-state", filepath.Join(state, "send"),
			"-write-cap", k.writeCap, "-index", k.index, filepath.Join(src, file))
	}
	if r := send("a.bin"); r.code != 0 {
		t.Fatalf("send: %s", r.stderr)
	}
	if r := send("b.bin"); r.code != daemonflag.ExitFailure || !strings.Contains(r.stderr, "was of another file") {
		t.Errorf("another file: exit %d, stderr %q", r.code, r.stderr)
	}

	receive := func(dir string) result {
		return cp(t.Context(), "receive", "-daemon", d.Addr(), "-state", filepath.Join(state, "receive"),
			"-read-cap", k.readCap, "-index", k.index, dir)
	}
	first := t.TempDir()
	if r := receive(first); r.code != 0 {
		t.Fatalf("receive: %s", r.stderr)
	}
	if r := receive(first); r.code != 0 || !strings.Contains(r.stdout, "nothing to do") {
		t.Errorf("a finished receive again: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := receive(t.TempDir()); r.code != daemonflag.ExitFailure || !strings.Contains(r.stderr, "writes into "+first) {
		t.Errorf("another directory: exit %d, stderr %q", r.code, r.stderr)
	}
}

// A copy-mode send interrupted during its copy command asks for the
// same copy again, and sends nothing new: the file is in the stream
// once.
func TestCopyCommandResumes(t *testing.T) {
	d := mock.Start(t, mock.WithGeneration(wire.Generation99))
	k := genkeys(t, d.Addr())
	src, dst, state := t.TempDir(), t.TempDir(), t.TempDir()
	want := randomFile(t, src, "f.bin", 6000)

	// The copy stream's length, to know which start is the copy
	// command's.
	var w pigeonhole.WriteCap
	var at pigeonhole.MessageBoxIndex
	w.UnmarshalText([]byte(k.writeCap))
	at.UnmarshalText([]byte(k.index))
	hdr, _ := header{Name: "f.bin", Size: uint64(len(want))}.encode()
	cs, err := pigeonhole.New(dial(t, d)).EnvelopesFromPayload(t.Context(), &w, &at, append(hdr, want...), true, true)
	if err != nil {
		t.Fatal(err)
	}
	elements := int64(len(cs.Elements))
	if elements > window {
		t.Fatalf("%d copy-stream elements: more than the %d writes in flight this test holds", elements, window)
	}

	args := []string{"send", "-daemon", d.Addr(), "-state", filepath.Join(state, "send"),
		"-write-cap", k.writeCap, "-index", k.index, filepath.Join(src, "f.bin")}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan result, 1)
	d.HoldPigeonhole()
	go func() { done <- cp(ctx, args...) }()
	// All the copy stream's writes are in flight: let them through, and
	// hold again before the copy command (which follows them, after the
	// channel commits it to disk) is answered.
	if _, err := d.WaitPigeonhole(t.Context(), func(s mock.PigeonholeStats) bool { return s.Held == elements }); err != nil {
		t.Fatal(err)
	}
	d.ReleasePigeonhole()
	d.HoldPigeonhole()
	if _, err := d.WaitPigeonhole(t.Context(), func(s mock.PigeonholeStats) bool { return s.Starts > elements && s.Held == 1 }); err != nil {
		t.Fatal(err)
	}
	cancel()
	if r := <-done; r.code != daemonflag.ExitFailure || !strings.Contains(r.stderr, "interrupted") {
		t.Fatalf("exit %d, stderr %q; want it interrupted during the copy", r.code, r.stderr)
	}
	d.ReleasePigeonhole()
	if r := mustCP(t, args...); !strings.Contains(r.stderr, "the copy command of an earlier run") {
		t.Errorf("the second run did not ask for the same copy: %q", r.stderr)
	}
	mustCP(t, "receive", "-daemon", d.Addr(), "-state", filepath.Join(state, "receive"),
		"-read-cap", k.readCap, "-index", k.index, dst)
	if got, _ := os.ReadFile(filepath.Join(dst, "f.bin")); !bytes.Equal(got, want) {
		t.Fatalf("received %d bytes that differ from the %d sent", len(got), len(want))
	}
	streamEnds(t, d, k, len(rustBoxes(t, "f.bin", want, false)))
}

// Two runs of the same transfer at once: the second is refused, since
// the first holds the state.
func TestSameTransferTwice(t *testing.T) {
	d := mock.Start(t, mock.WithGeneration(wire.Generation99))
	k := genkeys(t, d.Addr())
	src, state := t.TempDir(), t.TempDir()
	randomFile(t, src, "f.bin", 100)
	args := []string{"send", "-daemon", d.Addr(), "-state", filepath.Join(state, "send"), "-no-copy",
		"-write-cap", k.writeCap, "-index", k.index, filepath.Join(src, "f.bin")}
	d.HoldPigeonhole()
	first := make(chan result, 1)
	go func() { first <- cp(t.Context(), args...) }()
	if _, err := d.WaitPigeonhole(t.Context(), func(s mock.PigeonholeStats) bool { return s.Held == 1 }); err != nil {
		t.Fatal(err)
	}
	if r := cp(t.Context(), args...); r.code != daemonflag.ExitFailure || !strings.Contains(r.stderr, "another katzenthin-cp runs this transfer") {
		t.Errorf("the second run: exit %d, stderr %q", r.code, r.stderr)
	}
	d.ReleasePigeonhole()
	if r := <-first; r.code != 0 {
		t.Errorf("the first run: exit %d, stderr %q", r.code, r.stderr)
	}
}

// A receive that dies after recording boxes in its file and state but
// before acknowledging them to the channel gets them again on the next
// run, and skips them: they are in the file once.
func TestReceiveSkipsRecordedBoxes(t *testing.T) {
	d := mock.Start(t, mock.WithGeneration(wire.Generation99))
	k := genkeys(t, d.Addr())
	src, dst, state := t.TempDir(), t.TempDir(), t.TempDir()
	want := randomFile(t, src, "f.bin", 5*1549)
	mustCP(t, "send", "-daemon", d.Addr(), "-state", filepath.Join(state, "send"), "-no-copy",
		"-write-cap", k.writeCap, "-index", k.index, filepath.Join(src, "f.bin"))

	// The first run, up to the crash: two boxes applied, none acknowledged.
	path := filepath.Join(state, "receive")
	var rc pigeonhole.ReadCap
	var at pigeonhole.MessageBoxIndex
	rc.UnmarshalText([]byte(k.readCap))
	at.UnmarshalText([]byte(k.index))
	db, err := openStore(path, pigeonhole.New(dial(t, d)))
	if err != nil {
		t.Fatal(err)
	}
	rd, err := db.ImportReader(t.Context(), readChannel, rc, at)
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{rd: rd, st: &receiveState{Dir: dst}, path: path + ".json", prog: newProgress(io.Discard, "received")}
	for range 2 {
		msg, err := rd.Receive(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if err := r.apply(msg); err != nil {
			t.Fatal(err)
		}
	}
	r.part.Close()
	rd.Close()
	db.Close()

	res := mustCP(t, "receive", "-daemon", d.Addr(), "-state", path, "-read-cap", k.readCap, "-index", k.index, dst)
	if n := resumedAfter(t, res.stderr); n != int(r.st.Bytes) {
		t.Errorf("resumed after %d bytes, the state says %d", n, r.st.Bytes)
	}
	if got, _ := os.ReadFile(filepath.Join(dst, "f.bin")); !bytes.Equal(got, want) {
		t.Fatalf("received %d bytes that differ from the %d sent", len(got), len(want))
	}
}
