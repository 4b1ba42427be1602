package main

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// The headers in testdata were written by hand in the Rust tool's
// encoding (testdata/README.md): we decode them, and encode the same
// bytes.
func TestHeaderRustBytes(t *testing.T) {
	for _, tc := range []struct {
		file string
		want header
	}{
		{"header-hello.cbor", header{Name: "hello.txt", Size: 1234}},
		{"header-long.cbor", header{Name: "a-rather-long-file-name.tar.gz", Size: 5000000000}},
		{"header-utf8.cbor", header{Name: "grüße.txt", Size: 0}},
	} {
		b, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		file := []byte("the first file bytes")
		got, rest, err := decodeHeader(append(bytes.Clone(b), file...))
		if err != nil || got != tc.want || !bytes.Equal(rest, file) {
			t.Errorf("%s: decoded %+v, rest %q, %v; want %+v, rest %q", tc.file, got, rest, err, tc.want, file)
		}
		enc, err := tc.want.encode()
		if err != nil || !bytes.Equal(enc, b) {
			t.Errorf("%s: encoded % x, %v; want % x", tc.file, enc, err, b)
		}
	}
}

func TestHeaderMaxLen(t *testing.T) {
	b, err := header{Name: strings.Repeat("x", maxNameLen), Size: 1<<64 - 1}.encode()
	if err != nil || len(b) != maxHeaderLen {
		t.Errorf("the longest header is %d bytes (%v), maxHeaderLen says %d", len(b), err, maxHeaderLen)
	}
}

// Hostile or foreign first boxes are refused, saying why.
func TestHeaderRefused(t *testing.T) {
	hello, err := os.ReadFile("testdata/header-hello.cbor")
	if err != nil {
		t.Fatal(err)
	}
	long := append([]byte{0xa2, 0x64, 'n', 'a', 'm', 'e', 0x79, 0x01, 0x00}, bytes.Repeat([]byte("y"), 256)...)
	long = append(long, 0x64, 's', 'i', 'z', 'e', 0x01)
	for _, tc := range []struct {
		name string
		box  []byte
		why  string
	}{
		{"empty", nil, "empty"},
		{"array", []byte{0x82, 0x61, 'a', 0x01}, "not a map"},
		{"length prefix", []byte{0, 0, 0x10, 0}, "not a map"},
		{"truncated", hello[:len(hello)-1], "unexpected EOF"},
		{"no size", []byte{0xa1, 0x64, 'n', 'a', 'm', 'e', 0x61, 'a'}, `no "size"`},
		{"no name", []byte{0xa1, 0x64, 's', 'i', 'z', 'e', 0x01}, `no "name"`},
		{"extra key", []byte{0xa3, 0x64, 'n', 'a', 'm', 'e', 0x61, 'a', 0x64, 's', 'i', 'z', 'e', 0x01, 0x61, 'x', 0x01}, "unknown field"},
		{"duplicate key", []byte{0xa2, 0x64, 'n', 'a', 'm', 'e', 0x61, 'a', 0x64, 'n', 'a', 'm', 'e', 0x61, 'b'}, "duplicate"},
		{"capitalised key", []byte{0xa2, 0x64, 'N', 'a', 'm', 'e', 0x61, 'a', 0x64, 's', 'i', 'z', 'e', 0x01}, "unknown field"},
		{"negative size", []byte{0xa2, 0x64, 'n', 'a', 'm', 'e', 0x61, 'a', 0x64, 's', 'i', 'z', 'e', 0x20}, "cannot unmarshal"},
		{"byte-string name", []byte{0xa2, 0x64, 'n', 'a', 'm', 'e', 0x41, 'a', 0x64, 's', 'i', 'z', 'e', 0x01}, "cannot unmarshal"},
		{"invalid UTF-8", []byte{0xa2, 0x64, 'n', 'a', 'm', 'e', 0x61, 0xff, 0x64, 's', 'i', 'z', 'e', 0x01}, "UTF-8"},
		{"indefinite map", []byte{0xbf, 0x64, 'n', 'a', 'm', 'e', 0x61, 'a', 0x64, 's', 'i', 'z', 'e', 0x01, 0xff}, "indefinite"},
		{"tagged size", []byte{0xa2, 0x64, 'n', 'a', 'm', 'e', 0x61, 'a', 0x64, 's', 'i', 'z', 'e', 0xc2, 0x41, 0x01}, "tag"},
		{"256-byte name", long, "256 bytes"},
	} {
		_, _, err := decodeHeader(tc.box)
		if !errors.Is(err, ErrBadHeader) || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: got %v, want ErrBadHeader saying %q", tc.name, err, tc.why)
		}
	}
}

// The decoder reads whatever is in the first box, from anyone who holds
// the stream's write cap: it must not panic, must not return a name it
// would refuse, and what it accepts must survive a round trip through
// our encoder.
func FuzzDecodeHeader(f *testing.F) {
	for _, name := range []string{"header-hello.cbor", "header-long.cbor", "header-utf8.cbor"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(append(b, "file bytes"...))
	}
	f.Add([]byte{0xa2, 0x64, 'n', 'a', 'm', 'e', 0x79, 0xff, 0xff})
	f.Add([]byte{0xbf, 0xff})
	f.Fuzz(func(t *testing.T, box []byte) {
		h, rest, err := decodeHeader(box)
		if err != nil {
			if !errors.Is(err, ErrBadHeader) {
				t.Fatalf("an error that is not ErrBadHeader: %v", err)
			}
			return
		}
		if len(h.Name) > maxNameLen {
			t.Fatalf("accepted a %d-byte name", len(h.Name))
		}
		if len(rest) >= len(box) || !bytes.Equal(box[len(box)-len(rest):], rest) {
			t.Fatalf("the file bytes (%d) are not what follows the header in the box (%d)", len(rest), len(box))
		}
		enc, err := h.encode()
		if err != nil {
			t.Fatal(err)
		}
		again, rest, err := decodeHeader(enc)
		if err != nil || again != h || len(rest) != 0 {
			t.Fatalf("%+v encodes as % x, which decodes as %+v, rest % x, %v", h, enc, again, rest, err)
		}
	})
}
