package pigeonhole_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/pigeonhole"
)

func randomWriteCap(t *testing.T) pigeonhole.WriteCap {
	var w pigeonhole.WriteCap
	rand.Read(w[:])
	return w
}

func TestCapRelations(t *testing.T) {
	w := randomWriteCap(t)
	binary.LittleEndian.PutUint64(w[64:], 3102217582690729271)
	r := w.ReadCap()
	if !bytes.Equal(r[:32], w[32:64]) || !bytes.Equal(r[32:], w[64:]) {
		t.Fatal("read cap is not write_cap[32:64] ‖ write_cap[64:168]")
	}
	i, ri := w.FirstIndex(), r.FirstIndex()
	if i != ri || !bytes.Equal(i[:], w[64:]) {
		t.Fatal("first indexes differ")
	}
	if i.Counter() != 3102217582690729271 {
		t.Fatalf("counter %d", i.Counter())
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	w := randomWriteCap(t)
	r := w.ReadCap()
	i := w.FirstIndex()
	type persisted struct {
		W pigeonhole.WriteCap
		R pigeonhole.ReadCap
		I pigeonhole.MessageBoxIndex
	}
	b, err := json.Marshal(persisted{w, r, i})
	if err != nil {
		t.Fatal(err)
	}
	var got persisted
	if err := json.Unmarshal(b, &got); err != nil || got.W != w || got.R != r || got.I != i {
		t.Fatalf("JSON round trip: %v", err)
	}
	if !strings.Contains(string(b), base64.StdEncoding.EncodeToString(w[:])) {
		t.Error("text form is not standard base64")
	}
	bin, _ := w.MarshalBinary()
	var w2 pigeonhole.WriteCap
	if err := w2.UnmarshalBinary(bin); err != nil || w2 != w {
		t.Fatal("binary round trip")
	}
}

func TestWrongLengths(t *testing.T) {
	var (
		w pigeonhole.WriteCap
		r pigeonhole.ReadCap
		i pigeonhole.MessageBoxIndex
	)
	for name, un := range map[string]func([]byte) error{
		"WriteCap binary": w.UnmarshalBinary, "ReadCap binary": r.UnmarshalBinary, "MessageBoxIndex binary": i.UnmarshalBinary,
		"WriteCap text": w.UnmarshalText, "ReadCap text": r.UnmarshalText, "MessageBoxIndex text": i.UnmarshalText,
	} {
		for _, n := range []int{0, 10, 103, 105, 135, 137, 167, 169, 4096} {
			b := make([]byte, n)
			if strings.HasSuffix(name, "text") {
				b = []byte(base64.StdEncoding.EncodeToString(b))
			}
			if (name == "WriteCap binary" || name == "WriteCap text") && n == 168 {
				continue
			}
			err := un(b)
			var le *pigeonhole.LengthError
			if !errors.Is(err, pigeonhole.ErrInvalidLength) || !errors.As(err, &le) {
				t.Errorf("%s of %d bytes: %v", name, n, err)
			}
		}
	}
	if err := w.UnmarshalText([]byte("not base64!")); err == nil {
		t.Error("bad base64 accepted")
	}
}

// TestFormattingRedacts: no verb prints a cap's bytes, in any encoding.
func TestFormattingRedacts(t *testing.T) {
	w := randomWriteCap(t)
	r := w.ReadCap()
	secrets := func(b []byte) []string {
		return []string{hex.EncodeToString(b[:8]), strings.ToUpper(hex.EncodeToString(b[:8])),
			base64.StdEncoding.EncodeToString(b[:9]), fmt.Sprint(b[:4])[1:], string(b[:8])}
	}
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	log.Info("caps", "w", w, "r", r, "pw", &w)
	for _, c := range []struct {
		v     any
		bytes []byte
		want  string
	}{{w, w[:], "pigeonhole.WriteCap(redacted)"}, {&w, w[:], "pigeonhole.WriteCap(redacted)"},
		{r, r[:], "pigeonhole.ReadCap(redacted)"}, {&r, r[:], "pigeonhole.ReadCap(redacted)"}} {
		for _, verb := range []string{"%v", "%s", "%x", "%X", "%q", "%+v", "%#v", "%d"} {
			out := fmt.Sprintf(verb, c.v)
			if !strings.Contains(out, c.want) {
				t.Errorf("%s gave %q", verb, out)
			}
			for _, s := range append(secrets(c.bytes), secrets(c.bytes[32:])...) {
				if strings.Contains(out, s) {
					t.Errorf("%s of %T leaks %q", verb, c.v, s)
				}
			}
		}
		for _, s := range secrets(c.bytes) {
			if strings.Contains(logged.String(), s) {
				t.Errorf("slog leaks %q", s)
			}
		}
	}
	// Inside a struct too (%+v walks fields, which format themselves).
	e := pigeonhole.Envelope{Ciphertext: make([]byte, 2000), Descriptor: []byte("secret descriptor"), Next: w.FirstIndex()}
	rand.Read(e.Hash[:])
	for _, verb := range []string{"%v", "%+v", "%#v", "%x", "%s"} {
		out := fmt.Sprintf(verb, struct {
			W pigeonhole.WriteCap
			E pigeonhole.Envelope
		}{w, e})
		if strings.Contains(out, "secret descriptor") || strings.Contains(out, hex.EncodeToString(e.Hash[:4])) ||
			strings.Contains(out, hex.EncodeToString(w[:8])) {
			t.Errorf("%s leaks: %s", verb, out)
		}
	}
	i := w.FirstIndex()
	if got, want := fmt.Sprintf("%x", i), fmt.Sprintf("pigeonhole.MessageBoxIndex(%d)", i.Counter()); got != want {
		t.Errorf("index formats as %q, want %q", got, want)
	}
}
