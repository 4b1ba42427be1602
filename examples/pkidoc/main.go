// Command pkidoc prints the Katzenpost network's PKI document, as the
// client daemon has it: the nodes in path order, the services, and the
// traffic parameters.
//
//	go run ./examples/pkidoc -mock          # the bundled mock daemon's document
//	go run ./examples/pkidoc -json | jq .   # kpclientd's, for machines
//	go run ./examples/pkidoc -config thinclient.toml  # the daemon that file names
//
// The -json form keeps the document's own field names; byte fields
// (keys, hashes, shared random values) are lowercase hex strings.
package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/daemonflag"
	"github.com/katzenthin/katzenthin/pki"
)

func main() {
	// The first Ctrl-C cancels ctx; after it, the signal's default
	// effect is back, so a second one kills the program.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const description = `Print the PKI document of the Katzenpost network, as the client daemon
has it: the nodes in path order (gateways, mix layers, service nodes), the
services and the traffic parameters.

With -json the document is printed as one JSON object under the field
names of the document itself (Epoch, Topology, GatewayNodes, ...), plus
each node's Layer and IdentityHash. Byte fields (keys, hashes, shared
random values) are lowercase hex strings; maps keyed by epoch have the
epoch in decimal as their key.`

// run is the whole program; main only adds the process around it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pkidoc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	daemonflag.Usage(fs, "pkidoc [flags]", description)
	daemon := daemonflag.Add(fs, 47)
	asJSON := fs.Bool("json", false, "print the document as JSON (byte fields as hex strings)")
	epoch := fs.Uint64("epoch", 0, "the `epoch` whose document to print (0: the current one; other epochs need kpclientd v0.0.99)")
	if err := daemonflag.Parse(fs, args); err != nil {
		return daemonflag.Fail(stderr, "pkidoc", err)
	}

	c, cleanup, err := daemon.Connect(ctx, stderr)
	if err != nil {
		return daemonflag.Fail(stderr, "pkidoc", err)
	}
	defer cleanup()

	doc := c.Document()
	if *epoch != 0 {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if doc, err = c.DocumentForEpoch(ctx, *epoch); err != nil {
			return daemonflag.Fail(stderr, "pkidoc", fmt.Errorf("the document of epoch %d: %w", *epoch, err))
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(jsonOf(doc))
	} else {
		err = writeText(stdout, doc, daemonLine(c))
	}
	if err != nil {
		return daemonflag.Fail(stderr, "pkidoc", err)
	}
	return daemonflag.ExitOK
}

// daemonLine describes the daemon the document came from.
func daemonLine(c *client.Client) string {
	link := "not connected to the mixnet"
	if c.Connected() {
		link = "connected to the mixnet"
	}
	return fmt.Sprintf("from kpclientd %s, %s", c.Daemon().Generation, link)
}

// writeText prints doc for people: a header, the nodes, the services, the
// parameters. about says where the document came from.
func writeText(w io.Writer, doc *pki.Document, about string) error {
	mixes := 0
	for _, layer := range doc.Topology {
		mixes += len(layer)
	}
	fmt.Fprintf(w, "PKI document for epoch %d (format %s, genesis epoch %d)\n", doc.Epoch, doc.Version, doc.GenesisEpoch)
	fmt.Fprintln(w, about)
	fmt.Fprintf(w, "\nPath: %s → %s in %s → %s\n\n",
		count(len(doc.GatewayNodes), "gateway"), count(mixes, "mix"), count(len(doc.Topology), "layer"),
		count(len(doc.ServiceNodes), "service node"))

	nodes := [][]string{{"ROLE", "NAME", "IDENTITY HASH", "ADDRESSES"}}
	node := func(role string, m *pki.MixDescriptor) {
		extra := ""
		if m.AuthenticationType != "" {
			extra = " (authentication " + m.AuthenticationType + ")"
		}
		h := m.IdentityHash()
		nodes = append(nodes, []string{role, m.Name, hex.EncodeToString(h[:8]), addresses(m.Addresses) + extra})
	}
	for _, m := range doc.GatewayNodes {
		node("gateway", m)
	}
	for i, layer := range doc.Topology {
		for _, m := range layer {
			node("layer "+strconv.Itoa(i), m)
		}
	}
	for _, m := range doc.ServiceNodes {
		node("service", m)
	}
	for _, r := range doc.StorageReplicas {
		h := r.IdentityHash()
		nodes = append(nodes, []string{"replica", r.Name, hex.EncodeToString(h[:8]), addresses(r.Addresses)})
	}

	services := [][]string{{"SERVICE", "NODE", "QUEUE"}}
	for _, m := range doc.ServiceNodes {
		for _, capability := range slices.Sorted(maps.Keys(m.Services)) {
			queue, ok := m.Endpoint(capability)
			if ok {
				queue = strconv.Quote(queue)
			} else {
				queue = "(no endpoint: cannot be addressed)"
			}
			services = append(services, []string{capability, m.Name, queue})
		}
	}

	params := [][]string{{"PARAMETER", "VALUE", "MEANING"}}
	for _, p := range parameters(doc) {
		params = append(params, []string{p.name, p.value, p.meaning})
	}

	for _, t := range [][][]string{nodes, services, params} {
		if err := table(w, t); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Signature scheme %s; Sphinx geometry hash %s; shared random value %s\n",
		orNone(doc.PKISignatureScheme), short(doc.SphinxGeometryHash), short(doc.SharedRandomValue))
	return nil
}

// parameter is one traffic parameter, written for people.
type parameter struct{ name, value, meaning string }

// parameters lists doc's traffic parameters. Mu and the Lambdas are rates
// per millisecond of exponential distributions: the mean interval is
// their inverse. The MaxDelays (format v0) cap those intervals.
func parameters(doc *pki.Document) []parameter {
	v0 := doc.Version != "v1"
	rate := func(name string, r float64, maxDelay uint64, meaning string) parameter {
		value := fmt.Sprintf("%g/ms", r)
		if r > 0 {
			value += ", mean " + (time.Duration(float64(time.Millisecond) / r)).Round(time.Millisecond).String()
		}
		if v0 {
			value += ", max " + (time.Duration(maxDelay) * time.Millisecond).String()
		}
		return parameter{name, value, meaning}
	}
	ps := []parameter{
		rate("Mu", doc.Mu, doc.MuMaxDelay, "mixing delay at each hop"),
		rate("LambdaP", doc.LambdaP, doc.LambdaPMaxDelay, "client: interval between message sends"),
		rate("LambdaL", doc.LambdaL, doc.LambdaLMaxDelay, "client: interval between loop decoys"),
	}
	if v0 {
		ps = append(ps, rate("LambdaD", doc.LambdaD, doc.LambdaDMaxDelay, "client: interval between drop decoys"))
	}
	ps = append(ps,
		rate("LambdaM", doc.LambdaM, doc.LambdaMMaxDelay, "mix: interval between loop decoys"),
		rate("LambdaG", doc.LambdaG, doc.LambdaGMaxDelay, "gateway: interval between loop decoys"),
	)
	if v0 {
		ps = append(ps, parameter{"SendRatePerMinute", strconv.FormatUint(doc.SendRatePerMinute, 10), "client: send rate limit"})
	} else {
		ps = append(ps, rate("LambdaR", doc.LambdaR, 0, "the v1 document's extra rate (not interpreted here)"))
	}
	return ps
}

// table prints rows in aligned columns.
func table(w io.Writer, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// addresses lists a node's addresses, sorted by transport.
func addresses(a map[string][]string) string {
	var parts []string
	for _, transport := range slices.Sorted(maps.Keys(a)) {
		parts = append(parts, transport+" "+strings.Join(a[transport], " "))
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, ", ")
}

// count writes "1 gateway", "3 mixes", "0 service nodes".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "x") {
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// short writes the first 8 bytes of b in hex.
func short(b []byte) string {
	if len(b) == 0 {
		return "(none)"
	}
	if len(b) > 8 {
		return hex.EncodeToString(b[:8]) + "…"
	}
	return hex.EncodeToString(b)
}

// orNone writes s, or "(none)" when it is empty.
func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
