package bench_test

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// mockd is built once per test binary, into a temporary directory that
// TestMain removes.
var mockd struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func buildMockd() (string, error) {
	mockd.once.Do(func() {
		goCmd, err := exec.LookPath("go")
		if err != nil {
			mockd.err = fmt.Errorf("building mockd: %w", err)
			return
		}
		if mockd.dir, mockd.err = os.MkdirTemp("", "katzenthin-bench-"); mockd.err != nil {
			return
		}
		mockd.bin = filepath.Join(mockd.dir, "mockd")
		out, err := exec.Command(goCmd, "build", "-o", mockd.bin, "github.com/katzenthin/katzenthin/mock/mockd").CombinedOutput()
		if err != nil {
			mockd.err = fmt.Errorf("building mockd: %v\n%s", err, out)
		}
	})
	return mockd.bin, mockd.err
}

func removeMockd() {
	if mockd.dir != "" {
		os.RemoveAll(mockd.dir)
	}
}

// startMockd runs mockd of generation gen on a fresh abstract socket
// until the test ends, and returns a dialer for it.
func startMockd(tb testing.TB, gen wire.Generation) transport.Dialer {
	tb.Helper()
	bin, err := buildMockd()
	if err != nil {
		tb.Fatal(err)
	}
	var b [8]byte
	rand.Read(b[:])
	addr := "@katzenthin-bench-" + hex.EncodeToString(b[:])
	g := "47"
	if gen == wire.Generation99 {
		g = "99"
	}
	cmd := exec.Command(bin, "-listen", addr, "-generation", g, "-quiet")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() {
			cmd.Wait()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	// mockd prints its document, then a line saying it serves. Nothing
	// else goes to stdout, so the pipe needs no reader afterwards.
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "mockd: serving") {
			return transport.Unix(addr)
		}
	}
	tb.Fatalf("mockd exited before serving: %v", sc.Err())
	return nil
}
