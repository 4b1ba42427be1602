package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/katzenthin/katzenthin/daemonflag"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// pkidoc runs the program to its end.
func pkidoc(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	code = run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it); got:\n%s", path, got)
	}
}

// The listing of the documents real daemons sent.
func TestTextGolden(t *testing.T) {
	for _, gen := range []string{"47", "99"} {
		t.Run(gen, func(t *testing.T) {
			var out bytes.Buffer
			if err := writeText(&out, capturedDocument(t, gen), "from kpclientd v0.0."+gen+", connected to the mixnet"); err != nil {
				t.Fatal(err)
			}
			golden(t, "pkidoc-v0.0."+gen+".golden.txt", out.Bytes())
		})
	}
}

func TestRunText(t *testing.T) {
	for _, gen := range []wire.Generation{wire.Generation47, wire.Generation99} {
		t.Run(gen.String(), func(t *testing.T) {
			d := mock.Start(t, mock.WithGeneration(gen))
			code, stdout, stderr := pkidoc(t, "-daemon", d.Addr())
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			var want bytes.Buffer
			if err := writeText(&want, d.Document(), "from kpclientd "+gen.String()+", connected to the mixnet"); err != nil {
				t.Fatal(err)
			}
			if stdout != want.String() {
				t.Errorf("got\n%s\nwant\n%s", stdout, want.String())
			}
			for _, s := range []string{"gateway  gateway1", "layer 2  mix3", "service  servicenode1", "echo     servicenode1  \"+echo\""} {
				if !strings.Contains(stdout, s) {
					t.Errorf("no %q in\n%s", s, stdout)
				}
			}
		})
	}
}

// -json parses, holds every node with its keys in hex, and the fields of
// the document's format only.
func TestRunJSON(t *testing.T) {
	for _, gen := range []wire.Generation{wire.Generation47, wire.Generation99} {
		t.Run(gen.String(), func(t *testing.T) {
			d := mock.Start(t, mock.WithGeneration(gen))
			code, stdout, stderr := pkidoc(t, "-daemon", d.Addr(), "-json")
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			var got jsonDocument
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, stdout)
			}
			checkJSON(t, d.Document(), got)

			var raw map[string]any
			if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
				t.Fatal(err)
			}
			_, hasMaxDelay := raw["MuMaxDelay"]
			_, hasLambdaR := raw["LambdaR"]
			if v0 := gen == wire.Generation47; hasMaxDelay != v0 || hasLambdaR == v0 {
				t.Errorf("%s: MuMaxDelay present %v, LambdaR present %v", gen, hasMaxDelay, hasLambdaR)
			}
		})
	}
}

// The captured v0.0.47 document, with its six services, converts too.
func TestJSONCaptured(t *testing.T) {
	doc := capturedDocument(t, "47")
	b, err := json.Marshal(jsonOf(doc))
	if err != nil {
		t.Fatal(err)
	}
	var got jsonDocument
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	checkJSON(t, doc, got)
	if n := len(got.ServiceNodes[0].Services); n != 6 {
		t.Errorf("%d services, want 6", n)
	}
}

// checkJSON compares the -json form with the document it came from.
func checkJSON(t *testing.T, doc *pki.Document, got jsonDocument) {
	t.Helper()
	if got.Epoch != doc.Epoch || got.Version != doc.Version || got.SharedRandomValue != hex.EncodeToString(doc.SharedRandomValue) {
		t.Errorf("header: %d %q, want %d %q", got.Epoch, got.Version, doc.Epoch, doc.Version)
	}
	var nodes []jsonNode
	for _, layer := range got.Topology {
		nodes = append(nodes, layer...)
	}
	nodes = append(append(nodes, got.GatewayNodes...), got.ServiceNodes...)
	i := 0
	for m := range doc.Nodes() {
		if i >= len(nodes) {
			t.Fatalf("JSON has %d nodes, the document more", len(nodes))
		}
		n := nodes[i]
		h := m.IdentityHash()
		layer, _ := doc.Layer(m)
		if n.Name != m.Name || n.Layer != layer || n.IdentityHash != hex.EncodeToString(h[:]) || n.IdentityKey != hex.EncodeToString(m.IdentityKey) {
			t.Errorf("node %d: %s layer %d hash %s, want %s layer %d hash %x", i, n.Name, n.Layer, n.IdentityHash, m.Name, layer, h)
		}
		if m.IsServiceNode {
			svc, _ := n.Services["echo"].(map[string]any)
			if svc["endpoint"] != "+echo" {
				t.Errorf("%s: echo service %v", n.Name, n.Services)
			}
		}
		i++
	}
	if i != len(nodes) {
		t.Errorf("JSON has %d nodes, the document %d", len(nodes), i)
	}
}

func TestEpoch(t *testing.T) {
	d99 := mock.Start(t, mock.WithGeneration(wire.Generation99))
	epoch := d99.Document().Epoch
	code, stdout, stderr := pkidoc(t, "-daemon", d99.Addr(), "-epoch", fmt.Sprint(epoch))
	if code != 0 || !strings.HasPrefix(stdout, "PKI document for epoch "+fmt.Sprint(epoch)+" (format v1") {
		t.Errorf("v0.0.99: exit %d, stderr %q\n%s", code, stderr, stdout)
	}

	d47 := mock.Start(t)
	code, stdout, stderr = pkidoc(t, "-daemon", d47.Addr(), "-epoch", "5")
	if code != daemonflag.ExitFailure || stdout != "" || !strings.HasPrefix(stderr, "pkidoc: the document of epoch 5: client: not supported by this daemon") {
		t.Errorf("v0.0.47: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestMockFlag(t *testing.T) {
	code, stdout, stderr := pkidoc(t, "-mock", "-mock-generation", "99")
	if code != 0 || !strings.HasPrefix(stderr, "using the bundled mock daemon at @") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, "\nfrom kpclientd v0.0.99, connected to the mixnet\n") {
		t.Errorf("stdout:\n%s", stdout)
	}
}

func TestDaemonNotRunning(t *testing.T) {
	code, stdout, stderr := pkidoc(t, "-daemon", "/nonexistent/katzenthin-test.sock")
	if code != daemonflag.ExitFailure || stdout != "" || strings.Count(stderr, "\n") != 1 ||
		!strings.HasPrefix(stderr, "pkidoc: no daemon is listening at /nonexistent/katzenthin-test.sock: ") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestHelp(t *testing.T) {
	code, _, stderr := pkidoc(t, "-h")
	if code != 0 || !strings.Contains(stderr, "Byte fields (keys, hashes, shared\nrandom values) are lowercase hex strings") || !strings.Contains(stderr, "  -json\n") {
		t.Errorf("exit %d, usage:\n%s", code, stderr)
	}
}
