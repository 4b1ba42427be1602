// Command benchtable runs katzenthin's performance harness
// (internal/bench) and prints its figures with the ratios that matter,
// each next to its target: `make bench`.
//
//	go run ./internal/benchtable                      # -count 3 -benchtime 1s
//	go run ./internal/benchtable -count 5 -raw out.txt
//	go run ./internal/benchtable -input out.txt       # tabulate a saved run
//
// It runs `go test -run '^$' -bench . -benchmem -count N ./internal/bench`
// (in three processes: the codec benchmarks with a shorter -benchtime,
// the parked ones last), echoing
// the output on standard error, takes the median of every
// benchmark's rounds and prints two tables on standard output: every
// benchmark, then the targets with PASS or MISS. With -strict it exits 1
// when a target is missed.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

func main() {
	var (
		count     = flag.Int("count", 3, "rounds of every benchmark; the table shows the median")
		benchtime = flag.String("benchtime", "1s", "go test -benchtime")
		codectime = flag.String("codectime", "200ms", "go test -benchtime of the codec benchmarks (Codec/...), when -bench is .")
		bench     = flag.String("bench", ".", "go test -bench: which benchmarks to run")
		pkg       = flag.String("pkg", "./internal/bench", "the harness package")
		input     = flag.String("input", "", "tabulate this saved `go test -bench` output instead of running")
		raw       = flag.String("raw", "", "also save the raw output to this file")
		strict    = flag.Bool("strict", false, "exit 1 when a target is missed")
	)
	flag.Parse()
	if *count < 1 {
		fatalf("-count %d: want at least 1", *count)
	}

	var out []byte
	started := time.Now()
	if *input != "" {
		b, err := os.ReadFile(*input)
		if err != nil {
			fatalf("%v", err)
		}
		out = b
	} else {
		// By default the benchmarks run in three processes. The parked
		// ones leave 100,000s of dead goroutines in the runtime's list,
		// which every later GC cycle walks, so they run last, on their
		// own; the codec ones are quick and steady and get a shorter
		// benchtime, to keep `make bench` within minutes.
		runs := [][]string{{"-bench", *bench, "-benchtime", *benchtime}}
		if *bench == "." {
			runs = [][]string{
				{"-bench", ".", "-skip", "^Benchmark(Codec|Parked|Resolve)$", "-benchtime", *benchtime},
				{"-bench", "^BenchmarkCodec$", "-benchtime", *codectime},
				{"-bench", "^Benchmark(Parked|Resolve)$", "-benchtime", *benchtime},
			}
		}
		var buf bytes.Buffer
		for _, run := range runs {
			args := append([]string{"test", "-run", "^$", "-benchmem", "-count", fmt.Sprint(*count), "-timeout", "60m"}, run...)
			args = append(args, *pkg)
			fmt.Fprintf(os.Stderr, "benchtable: go %s\n", strings.Join(args, " "))
			cmd := exec.Command("go", args...)
			cmd.Stdout = io.MultiWriter(os.Stderr, &buf)
			cmd.Stderr = os.Stderr
			if err := cmd.Run(); err != nil {
				fatalf("go test: %v", err)
			}
		}
		out = buf.Bytes()
	}
	if *raw != "" {
		if err := os.WriteFile(*raw, out, 0o644); err != nil {
			fatalf("%v", err)
		}
	}

	rs, err := parse(bytes.NewReader(out))
	if err != nil {
		fatalf("%v", err)
	}
	if len(rs.order) == 0 {
		fatalf("no benchmark results")
	}
	w := os.Stdout
	fmt.Fprintf(w, "\nkatzenthin benchmarks, %s\n", started.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "machine: %s, %d CPUs (nproc), GOMAXPROCS %s, %s %s/%s\n",
		cpuModel(rs), runtime.NumCPU(), rs.procs, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "medians of %s rounds\n\n", rs.roundsString())
	printResults(w, rs)
	fmt.Fprintln(w)
	checks := evaluate(rs)
	printChecks(w, checks)
	if *strict && missed(checks) {
		os.Exit(1)
	}
}

// cpuModel is the CPU that go test reported, else /proc/cpuinfo's.
func cpuModel(rs *results) string {
	if rs.cpu != "" {
		return rs.cpu
	}
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchtable: "+format+"\n", args...)
	os.Exit(2)
}
