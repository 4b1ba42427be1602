package client_test

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

	"github.com/katzenthin/katzenthin/wire"
)

// mockdBinary is mockd, built once per test binary.
var mockdBinary struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func buildMockd() (string, error) {
	m := &mockdBinary
	m.once.Do(func() {
		if m.dir, m.err = os.MkdirTemp("", "katzenthin-client-test-"); m.err != nil {
			return
		}
		m.bin = filepath.Join(m.dir, "mockd")
		out, err := exec.Command("go", "build", "-o", m.bin, "github.com/katzenthin/katzenthin/mock/mockd").CombinedOutput()
		if err != nil {
			m.err = fmt.Errorf("building mockd: %v\n%s", err, out)
		}
	})
	return m.bin, m.err
}

func removeMockd() {
	if mockdBinary.dir != "" {
		os.RemoveAll(mockdBinary.dir)
	}
}

// runMockd starts mockd of gen with args on a fresh abstract address and
// returns once it serves; it is killed at the end of the test.
func runMockd(t testing.TB, gen wire.Generation, args ...string) (string, *exec.Cmd) {
	t.Helper()
	bin, err := buildMockd()
	if err != nil {
		t.Fatal(err)
	}
	var b [8]byte
	rand.Read(b[:])
	addr := "@katzenthin-client-test-" + hex.EncodeToString(b[:])
	g := "47"
	if gen == wire.Generation99 {
		g = "99"
	}
	cmd := exec.Command(bin, append([]string{"-listen", addr, "-generation", g, "-quiet"}, args...)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "mockd: serving") {
			go func() { // drain: mockd prints nothing more, but never block it
				for sc.Scan() {
				}
			}()
			return addr, cmd
		}
	}
	t.Fatalf("mockd exited before serving: %v", sc.Err())
	return "", nil
}
