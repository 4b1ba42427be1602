package wire_test

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/wire"
)

func TestIDFormat(t *testing.T) {
	raw := [wire.IDLength]byte{0xab, 0x12, 0x00, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0xcd}
	h := hex.EncodeToString(raw[:])
	ids := map[string]any{
		"SURBID":    wire.SURBID(raw),
		"MessageID": wire.MessageID(raw),
		"QueryID":   wire.QueryID(raw),
		"Token":     wire.Token(raw),
	}
	for name, id := range ids {
		t.Run(name, func(t *testing.T) {
			for _, tc := range []struct{ format, want string }{
				{"%x", h},
				{"%X", strings.ToUpper(h)},
				{"%v", h},
				{"%s", h},
				{"%q", `"` + h + `"`},
				{"%.4x", h[:8]}, // precision counts bytes for %x of a byte slice
				{"%40s", strings.Repeat(" ", 8) + h},
				{"%-34v|", h + "  |"},
				{"[%v]", "[" + h + "]"},
			} {
				if got := fmt.Sprintf(tc.format, id); got != tc.want {
					t.Errorf("Sprintf(%q) = %q, want %q", tc.format, got, tc.want)
				}
			}
			if got, want := fmt.Sprint(id), h; got != want {
				t.Errorf("Sprint = %q, want %q", got, want)
			}
			if got, want := fmt.Sprintf("%x", []any{id}), "["+h+"]"; got != want {
				t.Errorf("%%x of a slice holding the ID = %q, want %q", got, want)
			}
			if got := fmt.Sprintf("%#v", id); !strings.Contains(got, "0xab, 0x12") {
				t.Errorf("%%#v = %q, want Go syntax with the bytes", got)
			}
			if got := fmt.Sprintf("%d", id); !strings.HasPrefix(got, "[171 18 0 255") {
				t.Errorf("%%d = %q, want the bytes in decimal", got)
			}
		})
	}
}

func TestIDStringMatchesFormat(t *testing.T) {
	id := wire.NewSURBID()
	if id.String() != fmt.Sprintf("%x", id) || id.String() != fmt.Sprintf("%v", &id) {
		t.Fatalf("String %q, %%x %x, %%v of a pointer %v disagree", id.String(), id, &id)
	}
}
