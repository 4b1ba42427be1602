package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/katzenthin/katzenthin/daemonflag"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

var update = flag.Bool("update", false, "rewrite testdata/status.golden.html")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// goldenTime is the page's "made at" in the golden file.
var goldenTime = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// render makes the page of doc.
func render(t *testing.T, doc *pki.Document, d daemonInfo) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := newPage(doc, d, goldenTime).write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// The page of the document a real kpclientd v0.0.47 sent.
func TestGolden(t *testing.T) {
	got := render(t, capturedDocument(t, "47"), daemonInfo{Generation: "v0.0.47", Address: "@katzenpost", Connected: true, MaxPayload: 2000})
	path := filepath.Join("testdata", "status.golden.html")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the page differs from %s; look at it, then go test -update rewrites it", path)
	}
}

// Every page is well-formed, self-contained and draws each node once.
func TestPages(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  *pki.Document
	}{
		{"captured v0.0.47", capturedDocument(t, "47")},
		{"captured v0.0.99", capturedDocument(t, "99")},
		{"mock", mock.New().Document()},
		{"wide", wide(t)},
		{"hostile names", hostile(t)},
		{"empty", &pki.Document{Version: "v1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := render(t, tc.doc, daemonInfo{Generation: "v0.0.99", Address: `@a"<b>`, MaxPayload: 2000})
			checkPage(t, page, tc.doc)
		})
	}
}

// Names from the document are escaped, never markup.
func TestEscaping(t *testing.T) {
	page := string(render(t, hostile(t), daemonInfo{Generation: "v0.0.47", Address: "@x"}))
	for _, bad := range []string{"<script", "<b>bold", `"><i>`, `"><svg>`, `" onmouseover="`} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q unescaped", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;") {
		t.Error("the hostile name is not shown escaped")
	}
}

// checkPage checks what every page must be.
func checkPage(t *testing.T, page []byte, doc *pki.Document) {
	t.Helper()
	wellFormed(t, page)
	nodes := 0
	for range doc.Nodes() {
		nodes++
	}
	if got := bytes.Count(page, []byte(` data-node="`)); got != nodes {
		t.Errorf("%d node boxes in the diagram, want one per node: %d", got, nodes)
	}
	if got := bytes.Count(page, []byte("<svg ")); got != 1 {
		t.Errorf("%d svg elements, want 1", got)
	}
	// Self-contained: nothing to fetch, nothing to run. (The SVG
	// namespace is a name, not a link.)
	rest := bytes.ReplaceAll(page, []byte(`xmlns="http://www.w3.org/2000/svg"`), nil)
	for _, ref := range []string{"src=", "href=", "url(", "@import", "<script", "<link", "http:", "https:"} {
		if bytes.Contains(rest, []byte(ref)) {
			t.Errorf("the page refers to something outside: %q", ref)
		}
	}
}

// void are the HTML elements that have no end tag.
var void = map[string]bool{"meta": true, "link": true, "br": true, "hr": true, "img": true, "input": true}

// wellFormed fails the test unless page starts with the doctype and
// closes every element it opens, in order.
func wellFormed(t *testing.T, page []byte) {
	t.Helper()
	if !bytes.HasPrefix(page, []byte("<!DOCTYPE html>\n<html lang=\"en\">")) {
		t.Error("no doctype")
	}
	if err := tagError(page); err != nil {
		t.Fatalf("not well-formed: %v", err)
	}
}

// tagError reports the first element of page that is not closed in
// order. It reads the raw tokens with encoding/xml in its lenient mode:
// golang.org/x/net/html would be the full parser, but this is enough for
// pages that we write ourselves.
func tagError(page []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(page))
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	var open []string
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if !void[tok.Name.Local] {
				open = append(open, tok.Name.Local)
			}
		case xml.EndElement:
			if void[tok.Name.Local] {
				continue // <meta/>, if it were written so
			}
			if len(open) == 0 || open[len(open)-1] != tok.Name.Local {
				line, _ := dec.InputPos()
				return fmt.Errorf("line %d: </%s> closes %v", line, tok.Name.Local, open)
			}
			open = open[:len(open)-1]
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("never closed: %v", open)
	}
	return nil
}

// The check itself catches what it is for.
func TestTagError(t *testing.T) {
	for _, tc := range []struct {
		page string
		ok   bool
	}{
		{`<html><head><meta charset="utf-8"></head><body><p>a &amp; b &middot; c<br></p><svg><path d="M0 0"/></svg></body></html>`, true},
		{`<html><body><p>unclosed</body></html>`, false},
		{`<html><body><b><i>crossed</b></i></body></html>`, false},
		{`<html><body></div></body></html>`, false},
		{`<html><body><p class="x>broken</p></body></html>`, false},
		{`<html><body><table><tr><td>cell</tr></table></body></html>`, false},
		{`<html>`, false},
	} {
		if err := tagError([]byte(tc.page)); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.page, err)
		}
	}
}

// wide is the captured document with more nodes in every column.
func wide(t *testing.T) *pki.Document {
	doc := *capturedDocument(t, "47")
	more := func(nodes []*pki.MixDescriptor, n int) []*pki.MixDescriptor {
		out := nodes
		for i := range n {
			c := *nodes[0]
			c.Name = fmt.Sprintf("%s-%d", c.Name, i+2)
			c.IdentityKey = append([]byte(c.Name), c.IdentityKey...)
			out = append(out, &c)
		}
		return out
	}
	doc.GatewayNodes = more(doc.GatewayNodes, 1)
	doc.Topology = [][]*pki.MixDescriptor{more(doc.Topology[0], 2), more(doc.Topology[1], 1), more(doc.Topology[2], 3)}
	doc.ServiceNodes = more(doc.ServiceNodes, 1)
	return &doc
}

// hostile is the captured document with markup in names and endpoints.
func hostile(t *testing.T) *pki.Document {
	doc := *capturedDocument(t, "47")
	svc := *doc.ServiceNodes[0]
	svc.Name = `<script>alert("x")</script>`
	svc.Services = map[string]map[string]any{`<b>bold</b>`: {"endpoint": `"><i>`}}
	doc.ServiceNodes = []*pki.MixDescriptor{&svc}
	gw := *doc.GatewayNodes[0]
	gw.Name = `gateway" onmouseover="x`
	gw.Addresses = map[string][]string{"tcp4": {`tcp://"><svg>`}}
	doc.GatewayNodes = []*pki.MixDescriptor{&gw}
	return &doc
}

// status runs the program to its end.
func status(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	code = run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRunFile(t *testing.T) {
	d := mock.Start(t, mock.WithGeneration(wire.Generation99))
	file := filepath.Join(t.TempDir(), "status.html")
	code, stdout, stderr := status(t, "-daemon", d.Addr(), "-o", file)
	want := fmt.Sprintf("status: wrote %s (epoch %d, 5 nodes)\n", file, d.Document().Epoch)
	if code != 0 || stdout != "" || stderr != want {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	page, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	checkPage(t, page, d.Document())
	for _, s := range []string{"Seen through kpclientd v0.0.99 at <code>" + d.Addr() + "</code>", "connected to the mixnet", "<td class=\"mono\">LambdaR</td>"} {
		if !strings.Contains(string(page), s) {
			t.Errorf("the page does not say %q", s)
		}
	}
}

func TestRunMockStdout(t *testing.T) {
	code, stdout, stderr := status(t, "-mock")
	if code != 0 || !regexp.MustCompile(`^using the bundled mock daemon at @katzenthin-mock-[0-9a-f]+ \(kpclientd v0\.0\.47 protocol\)\n$`).MatchString(stderr) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	wellFormed(t, []byte(stdout))
	if n := strings.Count(stdout, ` data-node="`); n != 5 {
		t.Errorf("%d nodes drawn, want the mock's 5", n)
	}
}

// An offline daemon shows as such.
func TestRunOffline(t *testing.T) {
	d := mock.Start(t, mock.WithOffline())
	code, stdout, _ := status(t, "-daemon", d.Addr())
	if code != 0 || !strings.Contains(stdout, `<span class="pill bad">not connected to the mixnet</span>`) {
		t.Errorf("exit %d; the page does not say offline", code)
	}
}

func TestRunErrors(t *testing.T) {
	code, stdout, stderr := status(t, "-daemon", "tcp:127.0.0.1:1")
	if code != daemonflag.ExitFailure || stdout != "" || strings.Count(stderr, "\n") != 1 ||
		!strings.HasPrefix(stderr, "status: no daemon is listening at tcp:127.0.0.1:1: ") {
		t.Errorf("not running: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	file := filepath.Join(t.TempDir(), "missing-dir", "status.html")
	code, _, stderr = status(t, "-mock", "-o", file)
	if code != daemonflag.ExitFailure || !strings.Contains(stderr, "\nstatus: open "+file+": no such file or directory\n") {
		t.Errorf("unwritable: exit %d, stderr %q", code, stderr)
	}
}
