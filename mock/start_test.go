package mock_test

import (
	"fmt"
	"testing"

	"github.com/katzenthin/katzenthin/mock"
)

// cleanupTB records what a helper reports and registers, so that a test
// can run the cleanups itself and look at what they said.
type cleanupTB struct {
	testing.TB
	cleanups []func()
	errs     []string
}

func (r *cleanupTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *cleanupTB) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestStartClosedEarly: a test that closes its daemon at once, perhaps
// before the serving goroutine has begun, gets no error from the cleanup.
func TestStartClosedEarly(t *testing.T) {
	for range 20 {
		rec := &cleanupTB{TB: t}
		d := mock.Start(rec)
		d.Close()
		for i := len(rec.cleanups) - 1; i >= 0; i-- {
			rec.cleanups[i]()
		}
		if len(rec.errs) != 0 {
			t.Fatalf("cleanup reported %q", rec.errs)
		}
	}
}
