package main

import (
	"encoding"
	"encoding/base64"
	"flag"
	"strings"

	"github.com/katzenthin/katzenthin/daemonflag"
	"github.com/katzenthin/katzenthin/pigeonhole"
)

// common holds the flags every verb takes.
type common struct {
	daemon *daemonflag.Flags
	state  string // -state: the state file, "" for the default
}

// register defines the common flags on fs: the daemon's (-daemon,
// -config, -daemon-uid, -mock, -mock-generation, as the example programs
// take them) and, with state, -state.
func register(fs *flag.FlagSet, state bool) *common {
	// Pigeonhole needs today's daemon: the mock speaks v0.0.99 unless
	// told otherwise.
	c := &common{daemon: daemonflag.Add(fs, 99)}
	if state {
		fs.StringVar(&c.state, "state", "", "keep the transfer's state in this `file`, a channel store (a receive keeps FILE.json beside it) "+
			"(default: a file named after the capability and index in the user's cache directory)")
	}
	return c
}

// capFlag is a capability or index flag, base64 as genkey prints it.
// Set only keeps the text: the flag package would quote a bad value in
// its error, and the value may be a capability. check decodes it.
type capFlag[T any, P interface {
	*T
	encoding.BinaryUnmarshaler
}] struct {
	name string // the flag, for errors: "-write-cap"
	what string // what it holds: "a write cap"
	size int
	text string
	set  bool
	val  T
}

// String is never the value: a capability is a secret.
func (f *capFlag[T, P]) String() string { return "" }

// Set keeps s for check.
func (f *capFlag[T, P]) Set(s string) error {
	f.text, f.set = s, true
	return nil
}

// check decodes the flag, which is required, saying which argument is
// wrong and why, without quoting it.
func (f *capFlag[T, P]) check() error {
	if !f.set {
		return daemonflag.Usagef("%s is required (genkey prints one)", f.name)
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(f.text))
	if err != nil {
		return daemonflag.Usagef("%s: not %s: not base64 as genkey prints it (%v)", f.name, f.what, err)
	}
	if len(b) != f.size {
		return daemonflag.Usagef("%s: not %s: %d bytes, %s has %d%s", f.name, f.what, len(b), f.what, f.size, lookalike(len(b)))
	}
	return P(&f.val).UnmarshalBinary(b)
}

// lookalike names the object of size n when it is another one of ours.
func lookalike(n int) string {
	switch n {
	case pigeonhole.WriteCapSize:
		return ": this is a write cap"
	case pigeonhole.ReadCapSize:
		return ": this is a read cap"
	case pigeonhole.MessageBoxIndexSize:
		return ": this is an index"
	}
	return ""
}

// defineCap defines -name on fs for a value of size bytes.
func defineCap[T any, P interface {
	*T
	encoding.BinaryUnmarshaler
}](fs *flag.FlagSet, name, what string, size int, usage string) *capFlag[T, P] {
	f := &capFlag[T, P]{name: "-" + name, what: what, size: size}
	fs.Var(f, name, usage)
	return f
}
