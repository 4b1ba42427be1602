package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
cpu: AMD EPYC
BenchmarkRoundTrip/64B/c1/floor-2         	   49342	     20000 ns/op	         0 lost	    4367 B/op	      22 allocs/op
BenchmarkRoundTrip/64B/c1/floor-2         	   49342	     22000 ns/op	         0 lost	    4367 B/op	      22 allocs/op
BenchmarkRoundTrip/64B/c1/floor-2         	   49342	     30000 ns/op	         0 lost	    4367 B/op	      22 allocs/op
BenchmarkRoundTrip/64B/c1/v0.0.47-2  	   63115	     21000 ns/op	         0 lost	    2806 B/op	       5 allocs/op
BenchmarkRoundTrip/64B/c1/v0.0.47-2  	   63115	     25000 ns/op	         1 lost	    2806 B/op	       5 allocs/op
BenchmarkRoundTrip/64B/c1/v0.0.47-2  	   63115	     23000 ns/op	         0 lost	    2806 B/op	       5 allocs/op
BenchmarkRoundTrip/64B/c1024/floor-2      	  190470	      6000 ns/op	         0 lost	    4384 B/op	      22 allocs/op
BenchmarkRoundTrip/64B/c1024/v0.0.47-2         	  204262	      5000 ns/op	         0 lost	    3039 B/op	       5 allocs/op
BenchmarkRoundTrip/64B/c1/v0.0.47-mockd-2       	   13480	     90807 ns/op	         0 lost	    2689 B/op	       1 allocs/op
BenchmarkParked/n=100000-2  1  3000000000 ns/op  700.5 heap-B/call  8192 stack-B/call  100010 goroutines  0 lost
BenchmarkResolve/parked=10-2  100  20000 ns/op
BenchmarkResolve/parked=100000-2  100  26000 ns/op
BenchmarkCodec/reply/v0.0.47/Decoder-2  1000  150.5 ns/op  17100.00 MB/s  2688 B/op  1 allocs/op
BenchmarkRaw/64B/c1/raw-2  1000  10000 ns/op  0 lost
BenchmarkRaw/64B/c1/raw-2  1000  20000 ns/op  0 lost
BenchmarkRaw/64B/c1/raw-2  1000  10000 ns/op  0 lost
BenchmarkRaw/64B/c1/sdk-2  1000  12000 ns/op  0 lost
BenchmarkRaw/64B/c1/sdk-2  1000  30000 ns/op  0 lost
BenchmarkRaw/64B/c1/sdk-2  1000  13000 ns/op  0 lost
BenchmarkRaw/64B/c1/raw-owned-2  1000  11000 ns/op  0 lost
BenchmarkRaw/64B/c1/raw-owned-2  1000  20000 ns/op  0 lost
BenchmarkRaw/64B/c1/raw-owned-2  1000  11000 ns/op  0 lost
BenchmarkRaw/64B/c1/sdk-append-2  1000  10000 ns/op  0 lost
BenchmarkRaw/64B/c1/sdk-append-2  1000  30000 ns/op  0 lost
BenchmarkRaw/64B/c1/sdk-append-2  1000  14000 ns/op  0 lost
BenchmarkRaw/64B/c1024/raw-2  1000  2000 ns/op  500000 calls/s  0 lost
BenchmarkRaw/64B/c1024/sdk-2  1000  4000 ns/op  250000 calls/s  0 lost
BenchmarkRaw/64B/c1024/raw-owned-2  1000  3000 ns/op  333333 calls/s  0 lost
BenchmarkRaw/64B/c1024/sdk-append-2  1000  2500 ns/op  400000 calls/s  0 lost
BenchmarkRaw/64B/c64/raw-2  1000  3000 ns/op  333333 calls/s  0 lost
BenchmarkRaw/64B/c64/sdk-2  1000  4000 ns/op  250000 calls/s  0 lost
PASS
`

func TestParseAndEvaluate(t *testing.T) {
	rs, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if rs.cpu != "AMD EPYC" || rs.procs != "2" {
		t.Fatalf("cpu %q procs %q", rs.cpu, rs.procs)
	}
	if v, _ := rs.get("RoundTrip/64B/c1/floor").median("ns/op"); v != 22000 {
		t.Fatalf("median %v", v)
	}
	if r := rs.get("RoundTrip/64B/c1/floor").rounds; r != 3 {
		t.Fatalf("%d rounds", r)
	}
	want := map[string]status{
		"replies lost or misrouted (every round of every benchmark)":         miss, // 1 lost
		"latency RoundTrip/64B/c1/v0.0.47 / RoundTrip/64B/c1/floor":          pass, // 23000/22000
		"throughput RoundTrip/64B/c1024/v0.0.47 / RoundTrip/64B/c1024/floor": pass, // 6000/5000
		"latency RoundTrip/2000B/c1/v0.0.47 / RoundTrip/2000B/c1/floor":      missing,
		"client-side allocs per Send (max over RoundTrip/*/*-mockd)":         pass,
		"heap per parked call beyond its goroutine (Parked/n=100000)":        pass,
		"resolve one reply, 100000 parked / 10 parked":                       miss, // 1.3x
		"latency RoundTrip/64B/c1/v0.0.47 / RoundTrip/64B/c1/floor-sync":     missing,
		"goroutines with 100000 parked (plus as many idle)":                  info,
		// Against the raw limit: sdk / raw, paired ratios 1.2, 1.5, 1.3 ->
		// 1.3 (<= 2); sdk / raw-owned 1.09, 1.5, 1.18 -> 1.18 (info);
		// sdk-append / raw 1.0, 1.5, 1.4 -> 1.4 (info).
		"latency Raw/64B/c1/sdk / Raw/64B/c1/raw":                 pass,
		"latency Raw/64B/c1/sdk / Raw/64B/c1/raw-owned":           info,
		"latency Raw/64B/c1/sdk-append / Raw/64B/c1/raw":          info,
		"throughput Raw/64B/c1024/sdk / Raw/64B/c1024/raw":        pass, // 0.5x, >= 0.3
		"throughput Raw/64B/c1024/sdk-append / Raw/64B/c1024/raw": info, // 0.8x
		"throughput Raw/64B/c1024/sdk / Raw/64B/c1024/raw-owned":  info, // 0.75x
		"throughput Raw/64B/c1024/raw-owned / Raw/64B/c1024/raw":  info,
		"throughput Raw/2000B/c1024/sdk / Raw/2000B/c1024/raw":    missing,
		"throughput Raw/64B/c64/sdk / Raw/64B/c64/raw":            info,
		"latency Raw/2000B/c1/sdk / Raw/2000B/c1/raw":             missing,
	}
	got := make(map[string]status)
	for _, c := range evaluate(rs) {
		got[c.what] = c.status
	}
	for what, s := range want {
		if got[what] != s {
			t.Errorf("%s: %s, want %s", what, got[what], s)
		}
	}
}

// Ratios pair the rounds: the median of per-round ratios, not the ratio
// of medians.
func TestPairedRatio(t *testing.T) {
	a := &result{metrics: map[string][]float64{"ns/op": {10, 20, 30}}}
	b := &result{metrics: map[string][]float64{"ns/op": {10, 10, 60}}}
	if r, ok := pairedRatio(a, b); !ok || r != 1 { // ratios 1, 2, 0.5
		t.Fatalf("paired ratio %v %v, want 1", r, ok)
	}
	c := &result{metrics: map[string][]float64{"ns/op": {10, 40}}}
	if r, _ := pairedRatio(a, c); r != 20.0/25 { // unequal rounds: medians
		t.Fatalf("ratio of medians %v", r)
	}
	if _, ok := pairedRatio(a, nil); ok {
		t.Fatal("ratio with a missing benchmark")
	}
}

func TestNumber(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0", 4: "4", 1234567: "1,234,567", 150.4: "150", 12.34: "12.3", 1.234: "1.23", -2500: "-2,500",
	} {
		if got := number(v); got != want {
			t.Errorf("number(%v) = %q, want %q", v, got, want)
		}
	}
}
