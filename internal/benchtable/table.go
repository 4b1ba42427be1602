package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// The standard units, shown in their own columns.
var standardUnits = []string{"ns/op", "allocs/op", "B/op", "MB/s", "lost"}

// printResults prints every benchmark's medians.
func printResults(w io.Writer, rs *results) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "benchmark\tns/op\tallocs/op\tB/op\tMB/s\tlost\t  other")
	for _, name := range rs.order {
		r := rs.get(name)
		cols := []string{name}
		for _, unit := range standardUnits {
			v, ok := r.median(unit)
			if !ok {
				cols = append(cols, "")
				continue
			}
			cols = append(cols, number(v))
		}
		var other []string
		for _, unit := range sortedUnits(r) {
			if slices.Contains(standardUnits, unit) {
				continue
			}
			v, _ := r.median(unit)
			other = append(other, number(v)+" "+unit)
		}
		// The other metrics follow the last cell, unaligned.
		fmt.Fprintln(tw, strings.Join(cols, "\t")+"\t  "+strings.Join(other, ", "))
	}
	tw.Flush()
}

func sortedUnits(r *result) []string {
	units := make([]string, 0, len(r.metrics))
	for u := range r.metrics {
		units = append(units, u)
	}
	slices.Sort(units)
	return units
}

// number formats v compactly: thousands separated, decimals only below
// 100.
func number(v float64) string {
	switch {
	case v == math.Trunc(v) || math.Abs(v) >= 100:
		return thousands(int64(math.Round(v)))
	case math.Abs(v) >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// status is a check's outcome.
type status string

const (
	pass    status = "PASS"
	miss    status = "MISS"
	info    status = "info"
	missing status = "n/a" // a benchmark it needs did not run
)

// check is one figure next to its target.
type check struct {
	what   string
	figure string
	target string
	status status
}

func missed(cs []check) bool {
	return slices.ContainsFunc(cs, func(c check) bool { return c.status == miss })
}

func printChecks(w io.Writer, cs []check) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target (ratios: median over rounds of each round's ratio)\tmeasured (medians)\twanted\tresult")
	for _, c := range cs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.what, c.figure, c.target, c.status)
	}
	tw.Flush()
}

// The benchmarks the targets compare.
const (
	genTarget = "v0.0.47" // the floor speaks v0.0.47
	genInfo   = "v0.0.99"
	parkedN   = "100000"
	resolveLo = "10"
)

var payloads = []string{"64B", "2000B"}

// rt names a round-trip benchmark.
func rt(size, conc, impl string) string { return "RoundTrip/" + size + "/" + conc + "/" + impl }

// evaluate computes every target from the medians.
func evaluate(rs *results) []check {
	var cs []check
	cs = append(cs, lostCheck(rs))
	for _, size := range payloads {
		cs = append(cs, latency(rs, rt(size, "c1", genTarget), rt(size, "c1", "floor"), true))
	}
	for _, size := range payloads {
		cs = append(cs, throughput(rs, rt(size, "c1024", genTarget), rt(size, "c1024", "floor"), true))
	}
	cs = append(cs, clientAllocs(rs), parkedHeap(rs), resolveRatio(rs))
	// The socket's limit: the SDK and the raw client against the same
	// canned daemon (BenchmarkRaw).
	for _, size := range payloads {
		// The floors of issue 20: Send at one caller within 2x the raw
		// client's round trip; SendAppend and Send against the raw client
		// under the same contract for information.
		cs = append(cs,
			rawLatency(rs, size, "sdk", "raw", true),
			rawLatency(rs, size, "sdk-append", "raw", false),
			rawLatency(rs, size, "sdk", "raw-owned", false))
	}
	for _, size := range payloads {
		cs = append(cs,
			// The floor of issue 20: Send at 1,024 callers at least 0.3x
			// the raw client's throughput.
			rawThroughput(rs, size, "c1024", "sdk", "raw", true),
			// SendAppend, which saves the reply's allocation, and Send
			// against the raw client under Send's own contract (a reply of
			// the caller's own: one allocation per call).
			rawThroughput(rs, size, "c1024", "sdk-append", "raw", false),
			rawThroughput(rs, size, "c1024", "sdk", "raw-owned", false),
			// What that contract costs by itself (BENCHMARKS.md).
			rawThroughput(rs, size, "c1024", "raw-owned", "raw", false),
			rawThroughput(rs, size, "c64", "sdk", "raw", false))
	}
	// Figures without a target of their own.
	for _, size := range payloads {
		cs = append(cs,
			latency(rs, rt(size, "c1", genTarget), rt(size, "c1", "floor-sync"), false),
			latency(rs, rt(size, "c1", genInfo), rt(size, "c1", "floor"), false),
			throughput(rs, rt(size, "c64", genTarget), rt(size, "c64", "floor"), false),
			throughput(rs, rt(size, "c1024", genInfo), rt(size, "c1024", "floor"), false),
		)
	}
	cs = append(cs, batchingInfo(rs)...)
	cs = append(cs, pacingInfo(rs)...)
	cs = append(cs, parkedInfo(rs)...)
	return cs
}

// lostCheck adds up the calls that did not get their own reply, in every
// round of every benchmark that counts them.
func lostCheck(rs *results) check {
	c := check{what: "replies lost or misrouted (every round of every benchmark)", target: "0"}
	total, benchmarks := 0.0, 0
	var bad []string
	for _, name := range rs.order {
		v := rs.get(name).metrics["lost"]
		if len(v) == 0 {
			continue
		}
		benchmarks++
		sum := 0.0
		for _, x := range v {
			sum += x
		}
		if sum > 0 {
			bad = append(bad, name)
		}
		total += sum
	}
	if benchmarks == 0 {
		c.figure, c.status = "no benchmark counted", missing
		return c
	}
	c.figure = fmt.Sprintf("%s in %d benchmarks", number(total), benchmarks)
	c.status = pass
	if total > 0 {
		c.figure += " (" + strings.Join(bad, ", ") + ")"
		c.status = miss
	}
	return c
}

// raw names a BenchmarkRaw benchmark: impl is "raw", "raw-owned" (the raw
// client handing each caller a reply of its own), "sdk" (Send) or
// "sdk-append" (SendAppend into the caller's reused buffer).
func raw(size, conc, impl string) string { return "Raw/" + size + "/" + conc + "/" + impl }

// The floors against the raw limit (issue 20).
const (
	rawLatencyMax    = 2.0
	rawThroughputMin = 0.30
)

// rawLatency compares impl's round trip at one caller with base's,
// against rawLatencyMax when target is set.
func rawLatency(rs *results, size, impl, base string, target bool) check {
	c := check{what: "latency " + raw(size, "c1", impl) + " / " + raw(size, "c1", base)}
	if target {
		c.target = fmt.Sprintf("<= %.2fx", rawLatencyMax)
	}
	return ratioCheck(c, rs.get(raw(size, "c1", impl)), rs.get(raw(size, "c1", base)), target,
		func(r float64) bool { return r <= rawLatencyMax })
}

// rawThroughput compares the calls/s of impl with base's at conc
// callers, against rawThroughputMin when target is set.
func rawThroughput(rs *results, size, conc, impl, base string, target bool) check {
	c := check{what: "throughput " + raw(size, conc, impl) + " / " + raw(size, conc, base)}
	if target {
		c.target = fmt.Sprintf(">= %.2fx", rawThroughputMin)
	}
	return throughputCheck(c, rs.get(raw(size, conc, impl)), rs.get(raw(size, conc, base)), target, rawThroughputMin)
}

// latency compares one call at a time: sdk's ns/op over the floor's.
func latency(rs *results, sdk, floor string, target bool) check {
	c := check{what: "latency " + sdk + " / " + floor}
	if target {
		c.target = "<= 1.20x"
	}
	return ratioCheck(c, rs.get(sdk), rs.get(floor), target, func(r float64) bool { return r <= 1.2 })
}

// throughput compares calls per second: the floor's ns/op over sdk's.
func throughput(rs *results, sdk, floor string, target bool) check {
	c := check{what: "throughput " + sdk + " / " + floor}
	if target {
		c.target = ">= 1.00x"
	}
	return throughputCheck(c, rs.get(sdk), rs.get(floor), target, 1.0)
}

// throughputCheck checks a's calls per second over b's (b's ns/op over
// a's) against least.
func throughputCheck(c check, a, b *result, target bool, least float64) check {
	r, ok := pairedRatio(b, a)
	if !ok {
		c.figure, c.status = "benchmarks missing", missing
		return c
	}
	s, _ := a.median("ns/op")
	f, _ := b.median("ns/op")
	c.figure = fmt.Sprintf("%.2fx (%s vs %s calls/s)", r, number(1e9/s), number(1e9/f))
	c.status = verdict(target, r >= least)
	return c
}

// ratioCheck checks num's ns/op over den's.
func ratioCheck(c check, num, den *result, target bool, good func(float64) bool) check {
	r, ok := pairedRatio(num, den)
	if !ok {
		c.figure, c.status = "benchmarks missing", missing
		return c
	}
	n, _ := num.median("ns/op")
	d, _ := den.median("ns/op")
	c.figure = fmt.Sprintf("%.2fx (%s / %s ns)", r, number(n), number(d))
	c.status = verdict(target, good(r))
	return c
}

// pairedRatio is the median over rounds of num's ns/op over den's in the
// same round: the harness runs the benchmarks it compares side by side
// in every round, so pairing them cancels the machine's drift between
// rounds. With unequal rounds it is the ratio of the medians.
func pairedRatio(num, den *result) (float64, bool) {
	if num == nil || den == nil {
		return 0, false
	}
	a, b := num.metrics["ns/op"], den.metrics["ns/op"]
	if len(a) == 0 || len(b) == 0 {
		return 0, false
	}
	if len(a) != len(b) {
		n, _ := num.median("ns/op")
		d, _ := den.median("ns/op")
		if d == 0 {
			return 0, false
		}
		return n / d, true
	}
	ratios := &result{metrics: map[string][]float64{}}
	for i := range a {
		if b[i] == 0 {
			return 0, false
		}
		ratios.metrics["r"] = append(ratios.metrics["r"], a[i]/b[i])
	}
	return ratios.median("r")
}

func verdict(target, good bool) status {
	switch {
	case !target:
		return info
	case good:
		return pass
	default:
		return miss
	}
}

// clientAllocs is the most any Send against mockd (another process)
// allocated per call: the client's allocations alone.
func clientAllocs(rs *results) check {
	c := check{what: "client-side allocs per Send (max over RoundTrip/*/*-mockd)", target: "<= 2"}
	worst, worstName, n := -1.0, "", 0
	for _, name := range rs.order {
		if !strings.HasPrefix(name, "RoundTrip/") || !strings.HasSuffix(name, "-mockd") {
			continue
		}
		if v, ok := rs.get(name).median("allocs/op"); ok {
			n++
			if v > worst {
				worst, worstName = v, name
			}
		}
	}
	if n == 0 {
		c.figure, c.status = "benchmarks missing", missing
		return c
	}
	c.figure = fmt.Sprintf("%s (%s; %d benchmarks)", number(worst), worstName, n)
	c.status = verdict(true, worst <= 2)
	return c
}

func parkedHeap(rs *results) check {
	c := check{what: "heap per parked call beyond its goroutine (Parked/n=" + parkedN + ")", target: "<= 1,024 B"}
	v, ok := rs.get("Parked/n=" + parkedN).median("heap-B/call")
	if !ok {
		c.figure, c.status = "benchmark missing", missing
		return c
	}
	c.figure = number(v) + " B"
	c.status = verdict(true, v <= 1024)
	return c
}

func resolveRatio(rs *results) check {
	c := check{what: "resolve one reply, " + parkedN + " parked / " + resolveLo + " parked", target: "<= 1.20x"}
	return ratioCheck(c, rs.get("Resolve/parked="+parkedN), rs.get("Resolve/parked="+resolveLo), true,
		func(r float64) bool { return r <= 1.2 })
}

// batchingInfo reports how many calls one write carried on each side at
// the highest concurrency.
func batchingInfo(rs *results) []check {
	var cs []check
	for _, impl := range []string{"floor", genTarget} {
		r := rs.get("Batching/c1024/" + impl)
		cw, ok1 := r.median("calls/client-write")
		sw, ok2 := r.median("calls/server-write")
		if !ok1 || !ok2 {
			continue
		}
		cs = append(cs, check{what: "calls per write at c1024, " + impl + " (client, server)",
			figure: number(cw) + ", " + number(sw), status: info})
	}
	return cs
}

// parkedInfo reports the rest of the parked figures.
func parkedInfo(rs *results) []check {
	r := rs.get("Parked/n=" + parkedN)
	if r == nil {
		return nil
	}
	var cs []check
	for _, m := range []struct{ unit, what string }{
		{"stack-B/call", "stack per parked caller (idle goroutine: %s B)"},
		{"mock-B/call", "in-process mock's heap per held reply (subtracted)"},
		{"goroutines", "goroutines with " + parkedN + " parked (plus as many idle)"},
	} {
		v, ok := r.median(m.unit)
		if !ok {
			continue
		}
		what := m.what
		if strings.Contains(what, "%s") {
			idle, _ := r.median("idle-stack-B/g")
			what = fmt.Sprintf(what, number(idle))
		}
		cs = append(cs, check{what: what, figure: number(v), status: info})
	}
	return cs
}

// pacingInfo reports what a paced daemon (one message per Poisson slot)
// does to a burst of callers, in slot means.
func pacingInfo(rs *results) []check {
	var cs []check
	for _, n := range []string{"1", "8", "64"} {
		r := rs.get("Pacing/burst=" + n)
		med, ok1 := r.median("slots/median")
		last, ok2 := r.median("slots/last")
		per, ok3 := r.median("calls/slot")
		if !ok1 || !ok2 || !ok3 {
			continue
		}
		cs = append(cs, check{what: "paced daemon, burst of " + n + ": median, last caller's wait (slots); calls per slot",
			figure: number(med) + ", " + number(last) + "; " + number(per), status: info})
	}
	return cs
}
