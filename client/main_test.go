package client_test

import (
	"github.com/katzenthin/katzenthin/internal/mockdproc"
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		mockdproc.Remove()
		os.Exit(code)
	}))
}
