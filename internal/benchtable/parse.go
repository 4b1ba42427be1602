package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// results are the parsed rounds of every benchmark, in the order first
// seen.
type results struct {
	order []string
	by    map[string]*result
	cpu   string // go test's "cpu:" line
	procs string // the -N suffix of the names: GOMAXPROCS
}

// result is one benchmark's rounds: every metric's values by unit.
type result struct {
	name    string
	rounds  int
	metrics map[string][]float64
}

// median returns the median of a metric's rounds, and whether there are
// any.
func (r *result) median(unit string) (float64, bool) {
	if r == nil {
		return 0, false
	}
	v := slices.Clone(r.metrics[unit])
	if len(v) == 0 {
		return 0, false
	}
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2], true
	}
	return (v[n/2-1] + v[n/2]) / 2, true
}

func (rs *results) get(name string) *result { return rs.by[name] }

// roundsString says how many rounds the benchmarks had: "3", or "1-3"
// when they differ.
func (rs *results) roundsString() string {
	lo, hi := 0, 0
	for i, name := range rs.order {
		n := rs.by[name].rounds
		if i == 0 || n < lo {
			lo = n
		}
		if n > hi {
			hi = n
		}
	}
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

// A result line: name (with -GOMAXPROCS), iterations, then value-unit
// pairs.
var lineRE = regexp.MustCompile(`^(Benchmark\S+)\s+(\d+)\s+(.+)$`)

var procsRE = regexp.MustCompile(`-(\d+)$`)

// parse reads go test -bench output.
func parse(r io.Reader) (*results, error) {
	rs := &results{by: make(map[string]*result)}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if cpu, ok := strings.CutPrefix(line, "cpu: "); ok {
			rs.cpu = strings.TrimSpace(cpu)
			continue
		}
		m := lineRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name := strings.TrimPrefix(m[1], "Benchmark")
		if p := procsRE.FindStringSubmatch(name); p != nil {
			name = strings.TrimSuffix(name, p[0])
			rs.procs = p[1]
		}
		fields := strings.Fields(m[3])
		if len(fields)%2 != 0 {
			return nil, fmt.Errorf("cannot parse %q", line)
		}
		res := rs.by[name]
		if res == nil {
			res = &result{name: name, metrics: make(map[string][]float64)}
			rs.by[name] = res
			rs.order = append(rs.order, name)
		}
		res.rounds++
		for i := 0; i < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, fmt.Errorf("cannot parse %q: %v", line, err)
			}
			res.metrics[fields[i+1]] = append(res.metrics[fields[i+1]], v)
		}
	}
	if rs.procs == "" {
		rs.procs = "1"
	}
	return rs, sc.Err()
}
