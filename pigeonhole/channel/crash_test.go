package channel_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/internal/mockdproc"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/pigeonhole/channel"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// The crash test: a writer and a reader, each a child process (this
// test binary, re-executed with crashRoleEnv set), move N messages
// through durable channels against an out-of-process mockd, and each is
// killed with SIGKILL at random moments K times and restarted. The
// short version runs in `go test`; KATZENTHIN_CRASH_SOAK=1 (make soak)
// runs the long one.
const (
	crashRoleEnv = "KATZENTHIN_CRASH_ROLE" // "writer" or "reader"
	crashDBEnv   = "KATZENTHIN_CRASH_DB"
	crashAddrEnv = "KATZENTHIN_CRASH_ADDR"
	crashNEnv    = "KATZENTHIN_CRASH_N"
	crashSoakEnv = "KATZENTHIN_CRASH_SOAK"
)

func crashMessage(i uint64) string { return fmt.Sprintf("message %d", i) }

func TestCrash(t *testing.T) {
	n, kills, limit := 60, 3, 5*time.Minute
	if os.Getenv(crashSoakEnv) != "" {
		n, kills, limit = 1000, 40, 25*time.Minute
	}
	m := mockdproc.Start(t, wire.Generation99, "-pigeonhole-mixnet", "20ms")
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()

	// The channels: a new stream for the writer, its read cap for the
	// reader, each in a store file of its own.
	c, err := client.Dial(ctx, client.WithDialer(transport.Unix(m.Addr)))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writerDB, readerDB := dir+"/writer.db", dir+"/reader.db"
	db, err := channel.Open(writerDB, channel.WithClients(pigeonhole.New(c)))
	if err != nil {
		t.Fatal(err)
	}
	w, err := db.CreateWriter(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	readCap, start := w.ReadCap(), w.Start()
	db.Close()
	db, err = channel.Open(readerDB)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportReader(ctx, "in", readCap, start); err != nil {
		t.Fatal(err)
	}
	db.Close()

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		got     = make(map[uint64]string) // seq → data, from the reader's lines
		acked   = make(map[uint64]bool)
		maxSeq  uint64
		deliver int // messages handed to the reader, duplicates included
	)
	check := func(line string) error {
		// "got SEQ DATA", "acked SEQ"
		f := strings.SplitN(line, " ", 3)
		if len(f) < 2 || (f[0] != "got" && f[0] != "acked") {
			return nil
		}
		seq, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			return fmt.Errorf("reader line %q", line)
		}
		mu.Lock()
		defer mu.Unlock()
		if f[0] == "acked" {
			acked[seq] = true
			return nil
		}
		if len(f) != 3 {
			return fmt.Errorf("reader line %q", line)
		}
		deliver++
		switch {
		case acked[seq]:
			return fmt.Errorf("message %d handed out again after its Ack", seq)
		case seq > maxSeq+1:
			return fmt.Errorf("message %d came after %d: one skipped", seq, maxSeq)
		case seq == maxSeq+1:
			maxSeq = seq
		}
		if f[2] != crashMessage(seq) {
			// A box holding another message than its own: an index
			// written twice, or a reader that skipped or repeated one.
			return fmt.Errorf("message %d is %q", seq, f[2])
		}
		if prev, ok := got[seq]; ok && prev != f[2] {
			return fmt.Errorf("message %d handed out as %q and as %q", seq, prev, f[2])
		}
		got[seq] = f[2]
		return nil
	}
	errs := make(chan error, 2)
	for _, role := range []string{"writer", "reader"} {
		path := writerDB
		if role == "reader" {
			path = readerDB
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			done, err := runKilled(ctx, t, role, path, m.Addr, n, kills, check)
			if err == nil && done == 0 {
				err = fmt.Errorf("%s: never killed", role)
			}
			t.Logf("%s: killed %d times", role, done)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	// Every message 1..N came, in order, in its place; none after N;
	// none was handed out again after its Ack.
	for i := uint64(1); i <= uint64(n); i++ {
		if got[i] != crashMessage(i) {
			t.Errorf("message %d: %q", i, got[i])
		}
	}
	if len(got) != n {
		t.Errorf("%d distinct messages received, want %d", len(got), n)
	}
	t.Logf("%d messages, %d kills each, %d deliveries to the reader (%d again after a kill)", n, kills, deliver, deliver-n)

	// The stores agree: nothing pending, nothing unacknowledged, both
	// at message N+1.
	for _, f := range []struct{ path, name string }{{writerDB, "out"}, {readerDB, "in"}} {
		db, err := channel.Open(f.path)
		if err != nil {
			t.Fatal(err)
		}
		st, recs, err := db.Store().Load(ctx, f.name)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 0 || st.NextSeq != uint64(n+1) || st.EndSeq != uint64(n+1) || st.Next != st.End {
			t.Errorf("%s at the end: %v with %d records", f.name, st, len(recs))
		}
	}
	// The box after the last message is empty: nothing was written
	// beyond N.
	db, err = channel.Open(writerDB)
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := db.Store().Load(ctx, "out")
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	p := pigeonhole.New(c)
	env, err := p.EncryptRead(ctx, &readCap, &st.End)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.TryRead(ctx, &readCap, &st.End, env); !errors.Is(err, pigeonhole.ErrBoxNotFound) {
		t.Errorf("the box after message %d: %v, want ErrBoxNotFound", n, err)
	}
	c.Close()

	// No box ever held two contents: mockd counts every write of other
	// content to an occupied box, and prints the count as it stops.
	counters := strings.Join(m.Stop(), "\n")
	if !strings.Contains(counters, " 0 conflicting writes") {
		t.Errorf("mockd saw writes of other content to an occupied box: %q", counters)
	}
}

// runKilled runs the child of role until it finishes, killing it with
// SIGKILL kills times at random points of its progress, and restarting
// it each time; it returns how many kills happened (a run may finish
// before its kill point). lines are passed to check.
func runKilled(ctx context.Context, t *testing.T, role, dbPath, addr string, n, kills int, check func(string) error) (int, error) {
	done := 0
	for run := 0; ; run++ {
		killAt := -1 // the progress line after which to kill; -1: let it finish
		if run < kills {
			killAt = 1 + int(randN(int64(min(8, n/(kills+1)))))
		}
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrash$")
		cmd.Env = append(os.Environ(), crashRoleEnv+"="+role, crashDBEnv+"="+dbPath, crashAddrEnv+"="+addr, crashNEnv+"="+strconv.Itoa(n))
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			return done, err
		}
		if err := cmd.Start(); err != nil {
			return done, err
		}
		sc := bufio.NewScanner(out)
		progress, finished, killed := 0, false, false
		var checkErr error
		for sc.Scan() {
			line := sc.Text()
			if err := check(line); err != nil && checkErr == nil {
				checkErr = err
			}
			if line == "done" {
				finished = true
			}
			if strings.HasPrefix(line, "submitted ") || strings.HasPrefix(line, "got ") {
				progress++
				if progress == killAt && !killed {
					// A random moment after this point, not a
					// synchronisation: anything may be in flight.
					time.Sleep(time.Duration(randN(int64(5 * time.Millisecond))))
					cmd.Process.Kill()
					killed = true
				}
			}
		}
		err = cmd.Wait()
		if checkErr != nil {
			return done, fmt.Errorf("%s: %w", role, checkErr)
		}
		if ctx.Err() != nil {
			return done, fmt.Errorf("%s: %v after %d runs", role, ctx.Err(), run)
		}
		if finished && err == nil {
			return done, nil
		}
		if killed {
			done++
		}
		if !killed {
			t.Logf("%s run %d ended by itself: %v (restarting)", role, run, err)
		}
	}
}

func randN(n int64) int64 {
	if n <= 0 {
		return 0
	}
	v, err := rand.Int(rand.Reader, big.NewInt(n))
	if err != nil {
		return 0
	}
	return v.Int64()
}

// runCrashChild runs the writer or reader of TestCrash when this process
// is one, and reports whether it was.
func runCrashChild() bool {
	role := os.Getenv(crashRoleEnv)
	if role == "" {
		return false
	}
	n, _ := strconv.ParseUint(os.Getenv(crashNEnv), 10, 64)
	err := crashChild(role, os.Getenv(crashDBEnv), os.Getenv(crashAddrEnv), n)
	if err != nil {
		fmt.Fprintf(os.Stderr, "crash %s: %v\n", role, err)
		os.Exit(1)
	}
	fmt.Println("done")
	os.Exit(0)
	return true
}

func crashChild(role, path, addr string, n uint64) error {
	if role == "hold" {
		// TestOpenLockedByAnotherProcess: hold the store file until
		// stdin closes.
		db, err := channel.Open(path)
		if err != nil {
			return err
		}
		fmt.Println("holding")
		io.Copy(io.Discard, os.Stdin)
		return db.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	var clients []*pigeonhole.Client
	for range 2 {
		c, err := client.Dial(ctx, client.WithDialer(transport.Unix(addr)))
		if err != nil {
			return err
		}
		defer c.Close()
		clients = append(clients, pigeonhole.New(c))
	}
	// The killed run's lock goes with its process; wait a little for
	// the kernel to release it.
	db, err := channel.Open(path, channel.WithClients(clients...), channel.WithLockTimeout(10*time.Second))
	if err != nil {
		return err
	}
	defer db.Close()
	if role == "writer" {
		w, err := db.Writer(ctx, "out")
		if err != nil {
			return err
		}
		var ops []*channel.Write
		for i := w.NextSeq(); i <= n; i++ {
			op, err := w.Submit(ctx, []byte(crashMessage(i)))
			if err != nil {
				return err
			}
			if op.Seq() != i {
				return fmt.Errorf("message %d got sequence number %d", i, op.Seq())
			}
			ops = append(ops, op)
			fmt.Printf("submitted %d\n", i)
		}
		for _, op := range ops {
			if err := op.Wait(ctx); err != nil {
				return err
			}
		}
		return w.Flush(ctx)
	}
	r, err := db.Reader(ctx, "in")
	if err != nil {
		return err
	}
	for {
		m, err := r.Receive(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("got %d %s\n", m.Seq, m.Data)
		if err := r.Ack(ctx, m.Seq); err != nil {
			return err
		}
		fmt.Printf("acked %d\n", m.Seq)
		if m.Seq == n {
			return nil
		}
	}
}

// TestOpenLockedByAnotherProcess: while another process has the store
// file open, Open fails with ErrLocked after its lock timeout; once that
// process ends, Open succeeds.
func TestOpenLockedByAnotherProcess(t *testing.T) {
	path := tempDBPath(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpenLockedByAnotherProcess$")
	cmd.Env = append(os.Environ(), crashRoleEnv+"=hold", crashDBEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		if cmd.ProcessState == nil {
			cmd.Wait()
		}
	}()
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "holding" {
		t.Fatalf("the other process did not open the file: %q %v", sc.Text(), sc.Err())
	}
	if _, err := channel.Open(path, channel.WithLockTimeout(100*time.Millisecond)); !errors.Is(err, channel.ErrLocked) {
		t.Fatalf("Open of a file another process holds: %v, want ErrLocked", err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the other process: %v", err)
	}
	db, err := channel.Open(path, channel.WithLockTimeout(5*time.Second))
	if err != nil {
		t.Fatalf("Open after the other process ended: %v", err)
	}
	db.Close()
}
