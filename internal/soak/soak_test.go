package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestSoakShort runs a short soak against each generation: it must pass
// its own checks (no misrouted reply, no leak) and see the drops.
func TestSoakShort(t *testing.T) {
	for _, args := range [][]string{{"-generation", "47"}, {"-generation", "99"}, {"-generation", "99", "-churn"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"-duration", "1s", "-callers", "32", "-drop-every", "300ms"}, args...), &out, &errb)
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
			}
			for _, want := range []string{"misrouted   0", "ghost sends 0", "lost results 0", "soak: PASS", "reconnections"} {
				if !strings.Contains(out.String(), want) {
					t.Fatalf("output lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
}
