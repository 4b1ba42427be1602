// Package mockdproc runs the mock daemon, mockd, in a process of its own
// for tests and benchmarks: built once per test binary, started on a
// fresh abstract address, stopped (or killed) by the test.
package mockdproc

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

	"github.com/katzenthin/katzenthin/wire"
)

// binary is mockd, built once per test binary into a temporary folder
// that Remove deletes.
var binary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func build() (string, error) {
	b := &binary
	b.once.Do(func() {
		goCmd, err := exec.LookPath("go")
		if err != nil {
			b.err = fmt.Errorf("building mockd: %w", err)
			return
		}
		if b.dir, b.err = os.MkdirTemp("", "katzenthin-mockd-"); b.err != nil {
			return
		}
		b.path = filepath.Join(b.dir, "mockd")
		if out, err := exec.Command(goCmd, "build", "-o", b.path, "github.com/katzenthin/katzenthin/cmd/mockd").CombinedOutput(); err != nil {
			b.err = fmt.Errorf("building mockd: %v\n%s", err, out)
		}
	})
	return b.path, b.err
}

// Remove deletes the built binary; call it from TestMain.
func Remove() {
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
}

// Process is a running mockd.
type Process struct {
	Addr string // its abstract socket address, "@..."
	cmd  *exec.Cmd
	out  *bufio.Scanner // its stdout, read up to the serving line
}

// Start runs mockd of gen with the extra args on a fresh abstract address
// and returns once it serves. At the end of the test it is interrupted
// (killed if it does not exit within 10 s).
func Start(tb testing.TB, gen wire.Generation, args ...string) *Process {
	tb.Helper()
	bin, err := build()
	if err != nil {
		tb.Fatal(err)
	}
	var b [8]byte
	rand.Read(b[:])
	p := &Process{Addr: "@katzenthin-mockd-" + hex.EncodeToString(b[:])}
	g := "47"
	if gen == wire.Generation99 {
		g = "99"
	}
	p.cmd = exec.Command(bin, append([]string{"-listen", p.Addr, "-generation", g, "-quiet"}, args...)...)
	p.cmd.Stderr = os.Stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.stop)
	// mockd prints its document, then a line saying it serves. Nothing
	// else goes to stdout, so the pipe needs no reader afterwards.
	p.out = bufio.NewScanner(stdout)
	for p.out.Scan() {
		if strings.HasPrefix(p.out.Text(), "mockd: serving") {
			return p
		}
	}
	tb.Fatalf("mockd exited before serving: %v", p.out.Err())
	return nil
}

// Kill kills mockd at once (SIGKILL, as a crash would) and waits for it.
func (p *Process) Kill() {
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

// Stop interrupts mockd, waits for it to exit (killing it if it has not
// within 10 s) and returns the lines it printed to stdout after the
// serving line: its counters at shutdown. It returns nothing once mockd
// was killed or stopped.
func (p *Process) Stop() []string {
	if p.cmd.ProcessState != nil {
		return nil // killed or stopped already
	}
	p.cmd.Process.Signal(os.Interrupt)
	kill := time.AfterFunc(10*time.Second, func() { p.cmd.Process.Kill() })
	defer kill.Stop()
	// mockd's exit closes the pipe and ends the scan; Wait comes after
	// the last read, as os/exec requires.
	var lines []string
	for p.out.Scan() {
		lines = append(lines, p.out.Text())
	}
	p.cmd.Wait()
	return lines
}

func (p *Process) stop() { p.Stop() }
