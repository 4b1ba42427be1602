// Package bench is katzenthin's performance harness: benchmarks only (in
// its _test.go files), run and tabulated by internal/benchtable (`make
// bench`), plus small correctness tests that keep the harness honest in
// `go test ./...`. No test here runs a benchmark's load.
//
// The benchmarks, by name:
//
//   - RoundTrip/<size>/c<n>/<impl>: SURB round trips, n callers at
//     once, every reply checked against its caller's payload ("lost"
//     counts the misses): impl floor is package floor (no katzenthin
//     code), floor-sync its one-caller client, v0.0.47 and v0.0.99
//     client.Send against the in-process mock, and *-mockd the same
//     against mockd in its own process (allocs/op are the client's).
//   - Raw/<size>/c<n>/{raw,sdk,sdk-append}: the socket's limit. The raw client of
//     package raw and client.Send, side by side, against the canned
//     daemon of package raw (captured v0.0.47 frames, nothing decoded);
//     c64 and c1024 also report calls/s.
//   - Batching/c<n>/<impl>: calls carried per read and write.
//   - Parked/n=<n>: n Sends waiting on held replies; heap per parked
//     call beyond its goroutine, stacks, goroutine count.
//   - Resolve/parked=<n>: the time to resolve one reply (mock
//     ReleaseOne to the caller's return) while n calls are parked.
//   - Codec/...: the wire and pki codecs, and the floor's, with SetBytes.
//
// Run them all with `make bench`, or one family with, for example,
//
//	go test -run '^$' -bench 'Raw/64B' -benchmem -count 3 ./internal/bench
package bench
