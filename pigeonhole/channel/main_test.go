package channel_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/katzenthin/katzenthin/internal/mockdproc"
)

func TestMain(m *testing.M) {
	if runCrashChild() {
		return // a child process of TestCrash: it exits by itself
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		mockdproc.Remove()
		os.Exit(code)
	}))
}
