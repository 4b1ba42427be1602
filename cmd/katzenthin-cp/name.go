package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrBadName is a file name that cannot be used as it is: the sender's
// file would be refused by the receiver, or a received name would leave
// the destination directory or hide itself.
var ErrBadName = errors.New("unusable file name")

// checkName applies the receiver's rules, the Rust tool's: a name is one
// path element, so no separator of any system ('/' or '\'), not "." or
// "..", not empty, at most 255 bytes of valid UTF-8 with no control
// character (which could rewrite a terminal or hide the name).
func checkName(name string) error {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrBadName, name, why) }
	switch {
	case name == "":
		return fmt.Errorf("%w: the name is empty", ErrBadName)
	case len(name) > maxNameLen:
		// Not quoted: it is long, and what it holds is not checked yet.
		return fmt.Errorf("%w: %d bytes long, at most %d", ErrBadName, len(name), maxNameLen)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: not valid UTF-8", ErrBadName)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return bad("it holds a control character") // %q prints it escaped
	case name == "." || name == "..":
		return bad("a directory's name, not a file's")
	case strings.ContainsAny(name, `/\`):
		return bad("it holds a path separator")
	}
	return nil
}

// sendName is the name a sender announces for path: its last element,
// checked by the receiver's rules so that a name the receiver would
// refuse is refused before anything is sent.
func sendName(path string) (string, error) {
	name := filepath.Base(path)
	if err := checkName(name); err != nil {
		return "", fmt.Errorf("%w; the receiver would refuse it: rename the file", err)
	}
	return name, nil
}
