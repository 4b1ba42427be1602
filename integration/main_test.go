// Package integration is katzenthin's opt-in suite against a real client
// daemon (docs/real-daemon.md, "The integration suite"). Every test skips
// unless KATZENTHIN_TEST_DAEMON names the daemon's address:
//
//	KATZENTHIN_TEST_DAEMON=@katzenpost99p make integration
//
// It never runs in CI. It is slow on purpose: a real mixnet takes seconds
// per call and minutes per copy command, so deadlines are generous and
// every step's time is logged.
package integration

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
