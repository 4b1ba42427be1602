// Package examples holds no code of its own: the programs are in its
// subdirectories, each a small main package that reads as documentation
// of the SDK, and each runs against a real kpclientd (-daemon ADDRESS, or
// -config FILE, the thin-client configuration that names the daemon) or
// the bundled mock daemon (-mock):
//
//	go run ./examples/echo -mock -count 5     # ping the echo service, like ping(8)
//	go run ./examples/pkidoc -mock            # print the network's PKI document
//	go run ./examples/status -mock -o st.html # write an HTML status page
//	go run ./examples/pigeonhole -mock        # store and read back messages in Pigeonhole
//
// Each program imports only the module's public packages, so its
// directory can be copied into a project of your own as it is. The part
// they share (the flags that choose the daemon, connecting, one-line
// errors and exit statuses) is the public package daemonflag.
//
// This directory's tests keep README.md honest: every Go snippet in it is
// code of readme_example_test.go, which compiles and runs.
package examples
