// Package bench is katzenthin's performance harness: benchmarks only (in
// its _test.go files), run and tabulated by internal/benchtable (`make
// bench`), plus small correctness tests that keep the harness honest in
// `go test ./...`. No test here runs a benchmark's load.
//
// The benchmarks, by name:
//
//   - Floor/<size>/c<n>: the baseline of package floor (no katzenthin
//     code) over an abstract Unix socket, n callers at once;
//     FloorSync/<size>: its one-caller client with no goroutines.
//   - Send/<generation>/<size>/c<n>: client.Send against the in-process
//     mock (zero latency), n callers at once, every reply checked
//     against its caller's payload ("lost" counts the misses).
//   - SendMockd/<generation>/<size>/c<n>: the same against mockd in its
//     own process, so that allocs/op and B/op are the client's alone.
//   - Parked/n=<n>: n Sends waiting on held replies; heap per parked
//     call beyond its goroutine, stacks, goroutine count.
//   - Resolve/parked=<n>: the time to resolve one reply (mock
//     ReleaseOne to the caller's return) while n calls are parked.
//   - Codec/...: the wire and pki codecs, and the floor's, with SetBytes.
//
// Run them all with `make bench`, or one family with, for example,
//
//	go test -run '^$' -bench 'Send/v0.0.47/64B' -benchmem -count 3 ./internal/bench
package bench
