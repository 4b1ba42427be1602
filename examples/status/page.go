package main

import (
	_ "embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/katzenthin/katzenthin/pki"
)

//go:embed page.html
var pageHTML string

// pageTemplate is the page. html/template escapes everything the document
// brings (names, addresses, endpoints) for the context it lands in.
var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"div": func(a, b int) int { return a / b },
}).Parse(pageHTML))

// daemonInfo is what the page says about the daemon.
type daemonInfo struct {
	Generation string // "v0.0.47"
	Address    string
	Connected  bool
	MaxPayload int
}

// page is everything the template shows, computed beforehand so that the
// template only places it.
type page struct {
	Epoch, GenesisEpoch uint64
	Format              string
	Daemon              daemonInfo
	Generated           string // when the page was made
	Counts              []stat
	Diagram             diagram
	Params              []param
	HasMaxDelays        bool
	SendRatePerMinute   string // "" when the document has none (format v1)
	Services            []serviceRow
	Nodes               []nodeRow
	Live                *liveView // only on the served page (-serve)
}

type stat struct {
	N     int
	Label string
}

type param struct {
	Name, Rate, Mean, MaxDelay, Meaning string
}

type serviceRow struct {
	Capability, Node, Queue string
}

type nodeRow struct {
	Role, Name, Hash, Addresses string
}

// newPage describes doc for the page, as the daemon saw it at now.
func newPage(doc *pki.Document, d daemonInfo, now time.Time) *page {
	p := &page{
		Epoch:        doc.Epoch,
		GenesisEpoch: doc.GenesisEpoch,
		Format:       doc.Version,
		Daemon:       d,
		Generated:    now.UTC().Format("2006-01-02 15:04:05 UTC"),
		Diagram:      layout(doc),
		HasMaxDelays: doc.Version != "v1",
	}

	mixes := 0
	for _, layer := range doc.Topology {
		mixes += len(layer)
	}
	for _, m := range doc.ServiceNodes {
		for _, capability := range slices.Sorted(maps.Keys(m.Services)) {
			queue, ok := m.Endpoint(capability)
			if !ok {
				queue = "(none: cannot be addressed)"
			}
			p.Services = append(p.Services, serviceRow{capability, m.Name, queue})
		}
	}
	p.Counts = []stat{
		{len(doc.GatewayNodes), plural(len(doc.GatewayNodes), "gateway", "gateways")},
		{len(doc.Topology), plural(len(doc.Topology), "mix layer", "mix layers")},
		{mixes, plural(mixes, "mix", "mixes")},
		{len(doc.ServiceNodes), plural(len(doc.ServiceNodes), "service node", "service nodes")},
		{len(p.Services), plural(len(p.Services), "service", "services")},
	}
	if n := len(doc.StorageReplicas); n > 0 {
		p.Counts = append(p.Counts, stat{n, plural(n, "storage replica", "storage replicas")})
	}

	row := func(role, name string, hash [32]byte, addrs map[string][]string) {
		p.Nodes = append(p.Nodes, nodeRow{role, name, hex.EncodeToString(hash[:8]), addresses(addrs)})
	}
	for _, m := range doc.GatewayNodes {
		role := "gateway"
		if m.AuthenticationType != "" {
			role += " (" + m.AuthenticationType + ")"
		}
		row(role, m.Name, m.IdentityHash(), m.Addresses)
	}
	for i, layer := range doc.Topology {
		for _, m := range layer {
			row("mix, layer "+strconv.Itoa(i), m.Name, m.IdentityHash(), m.Addresses)
		}
	}
	for _, m := range doc.ServiceNodes {
		row("service node", m.Name, m.IdentityHash(), m.Addresses)
	}
	for _, r := range doc.StorageReplicas {
		row("storage replica", r.Name, r.IdentityHash(), r.Addresses)
	}

	p.Params = parameters(doc)
	if doc.Version != "v1" {
		p.SendRatePerMinute = strconv.FormatUint(doc.SendRatePerMinute, 10)
	}
	return p
}

// write renders the page.
func (p *page) write(w io.Writer) error {
	return pageTemplate.Execute(w, p)
}

// parameters lists doc's rate parameters. Mu and the Lambdas are rates per
// millisecond of exponential distributions, so the mean interval is their
// inverse; format v0 documents cap each with a MaxDelay.
func parameters(doc *pki.Document) []param {
	v0 := doc.Version != "v1"
	rate := func(name string, r float64, maxDelay uint64, meaning string) param {
		p := param{Name: name, Rate: strconv.FormatFloat(r, 'g', -1, 64), Meaning: meaning}
		if r > 0 {
			p.Mean = time.Duration(float64(time.Millisecond) / r).Round(time.Millisecond).String()
		}
		if v0 {
			p.MaxDelay = (time.Duration(maxDelay) * time.Millisecond).String()
		}
		return p
	}
	ps := []param{
		rate("Mu", doc.Mu, doc.MuMaxDelay, "mixing delay at each hop"),
		rate("LambdaP", doc.LambdaP, doc.LambdaPMaxDelay, "client: message sends"),
		rate("LambdaL", doc.LambdaL, doc.LambdaLMaxDelay, "client: loop decoys"),
	}
	if v0 {
		ps = append(ps, rate("LambdaD", doc.LambdaD, doc.LambdaDMaxDelay, "client: drop decoys"))
	}
	ps = append(ps,
		rate("LambdaM", doc.LambdaM, doc.LambdaMMaxDelay, "mix: loop decoys"),
		rate("LambdaG", doc.LambdaG, doc.LambdaGMaxDelay, "gateway: loop decoys"),
	)
	if !v0 {
		ps = append(ps, rate("LambdaR", doc.LambdaR, 0, "format v1's extra rate"))
	}
	return ps
}

// addresses lists a node's addresses, sorted by transport.
func addresses(a map[string][]string) string {
	var all []string
	for _, transport := range slices.Sorted(maps.Keys(a)) {
		all = append(all, a[transport]...)
	}
	if len(all) == 0 {
		return "none"
	}
	return strings.Join(all, ", ")
}

// plural picks the word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// The diagram's geometry, in SVG user units (pixels at 100%).
const (
	boxW     = 168 // node box width
	boxH     = 50  // node box height without services
	lineH    = 18  // one service line in a service node's box
	colGap   = 72  // between columns, where the edges run
	rowGap   = 14  // between boxes of a column
	margin   = 20  // around the drawing
	labelsH  = 34  // the column labels above the boxes
	maxLabel = 20  // characters of a name shown in a box
)

// diagram is the topology drawn as columns of boxes: the daemon, the
// gateways, each mix layer, the service nodes; every box is joined to
// every box of the next column, since a route may take any of them.
type diagram struct {
	Width, Height int
	Labels        []label
	Edges         []edge
	Client        box // the daemon the page was made through
	Nodes         []box
}

type label struct {
	X    int
	Text string
}

type edge struct {
	Path string // SVG path data
}

type box struct {
	X, Y, W, H int
	Kind       string // "gateway", "mix", "service"
	Name       string // shown, maybe shortened
	FullName   string
	Hash       string
	Title      string // the tooltip
	Services   []serviceLine
}

// DividerEnd is where the line between a service node's name and its
// services ends.
func (b box) DividerEnd() int { return b.W - 14 }

type serviceLine struct {
	Y          int
	Capability string
}

// layout places the boxes of doc's nodes in columns, path order.
func layout(doc *pki.Document) diagram {
	type column struct {
		label string
		boxes []box
	}
	var cols []column
	add := func(label, kind string, nodes []*pki.MixDescriptor, layer string) {
		c := column{label: label}
		for _, m := range nodes {
			if m == nil {
				continue
			}
			h := m.IdentityHash()
			b := box{W: boxW, H: boxH, Kind: kind, Name: shorten(m.Name), FullName: m.Name, Hash: hex.EncodeToString(h[:8])}
			b.Title = fmt.Sprintf("%s: %s, identity hash %x", m.Name, layer, h)
			for i, capability := range slices.Sorted(maps.Keys(m.Services)) {
				b.Services = append(b.Services, serviceLine{Y: boxH + (i+1)*lineH, Capability: shorten(capability)})
			}
			if len(b.Services) > 0 {
				b.H += len(b.Services)*lineH + 10
			}
			c.boxes = append(c.boxes, b)
		}
		cols = append(cols, c)
	}
	client := box{W: boxW, H: boxH, Kind: "client", Name: "kpclientd", Hash: "this client's daemon",
		Title: "The client daemon: it builds the Sphinx packets and talks to the gateways"}
	cols = append(cols, column{label: "CLIENT", boxes: []box{client}})
	add("GATEWAYS", "gateway", doc.GatewayNodes, "gateway")
	for i, layer := range doc.Topology {
		add("LAYER "+strconv.Itoa(i), "mix", layer, "mix in layer "+strconv.Itoa(i))
	}
	add("SERVICE NODES", "service", doc.ServiceNodes, "service node")

	tallest := 0
	for _, c := range cols {
		tallest = max(tallest, height(c.boxes))
	}
	var d diagram
	for i := range cols {
		c := &cols[i]
		x := margin + i*(boxW+colGap)
		d.Labels = append(d.Labels, label{X: x + boxW/2, Text: c.label})
		y := margin + labelsH + (tallest-height(c.boxes))/2
		for j := range c.boxes {
			c.boxes[j].X, c.boxes[j].Y = x, y
			y += c.boxes[j].H + rowGap
		}
	}
	for i := 1; i < len(cols); i++ {
		for _, from := range cols[i-1].boxes {
			for _, to := range cols[i].boxes {
				d.Edges = append(d.Edges, edge{Path: curve(from, to)})
			}
		}
	}
	d.Client = cols[0].boxes[0]
	for _, c := range cols[1:] {
		d.Nodes = append(d.Nodes, c.boxes...)
	}
	d.Width = 2*margin + len(cols)*boxW + (len(cols)-1)*colGap
	d.Height = 2*margin + labelsH + tallest
	return d
}

// height is the height of a column of boxes.
func height(boxes []box) int {
	h := 0
	for i, b := range boxes {
		if i > 0 {
			h += rowGap
		}
		h += b.H
	}
	return h
}

// curve is the path of an edge: from the right side of a box, at the
// height of its name, to the left side of the next, as a smooth S.
func curve(from, to box) string {
	x1, y1 := from.X+from.W, from.Y+boxH/2
	x2, y2 := to.X, to.Y+boxH/2
	mid := (x1 + x2) / 2
	return fmt.Sprintf("M%d %dC%d %d %d %d %d %d", x1, y1, mid, y1, mid, y2, x2, y2)
}

// shorten cuts a name that would not fit in a box.
func shorten(s string) string {
	r := []rune(s)
	if len(r) <= maxLabel {
		return s
	}
	return string(r[:maxLabel-1]) + "…"
}
