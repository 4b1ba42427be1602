package main

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		name string
		why  string // "" for a good name
	}{
		{"hello.txt", ""},
		{"grüße.txt", ""},
		{".hidden", ""},
		{"...", ""},
		{"a b", ""},
		{strings.Repeat("x", 255), ""},
		{strings.Repeat("é", 127), ""}, // 254 bytes
		{"", "empty"},
		{".", "a directory's name"},
		{"..", "a directory's name"},
		{"../etc/passwd", "path separator"},
		{"a/b", "path separator"},
		{"/etc/passwd", "path separator"},
		{`a\b`, "path separator"},
		{`..\..\windows`, "path separator"},
		{"a\x00b", "control character"},
		{"a\nb", "control character"},
		{"\x1b[2Jclear", "control character"},
		{"a\x7f", "control character"},
		{"a\u0085b", "control character"}, // NEL, a C1 control
		{strings.Repeat("x", 256), "256 bytes long"},
		{strings.Repeat("é", 128), "256 bytes long"},
		{"a\xffb", "UTF-8"},
	} {
		err := checkName(tc.name)
		switch {
		case tc.why == "" && err != nil:
			t.Errorf("%q: refused: %v", tc.name, err)
		case tc.why != "" && (!errors.Is(err, ErrBadName) || !strings.Contains(err.Error(), tc.why)):
			t.Errorf("%q: got %v, want ErrBadName saying %q", tc.name, err, tc.why)
		}
		if err != nil && strings.ContainsAny(err.Error(), "\x00\n\x1b\x7f") {
			t.Errorf("%q: the error prints a control character: %q", tc.name, err)
		}
	}
}

func TestSendName(t *testing.T) {
	for path, want := range map[string]string{
		"hello.txt":         "hello.txt",
		"/tmp/x/report.pdf": "report.pdf",
		"dir/sub/":          "sub",
		"../up/grüße.txt":   "grüße.txt",
	} {
		if got, err := sendName(path); got != want || err != nil {
			t.Errorf("sendName(%q) = %q, %v; want %q", path, got, err, want)
		}
	}
	for _, path := range []string{"/tmp/a\nb", "/", ".", "dir/" + strings.Repeat("x", 256), `C:\x\y`} {
		if _, err := sendName(path); !errors.Is(err, ErrBadName) || !strings.Contains(err.Error(), "rename") {
			t.Errorf("sendName(%q): got %v, want ErrBadName telling to rename", path, err)
		}
	}
}
