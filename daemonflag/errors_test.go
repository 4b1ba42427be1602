package daemonflag_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/daemonflag"
)

// The peer check cannot be failed for real without a daemon running as
// another user, so its message is checked here.
func TestExplain(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("dial: %w", &client.PeerError{UID: 1234, PID: 99, Allowed: []int{1000, 0}}),
			"the daemon at @x runs as uid 1234 (pid 99), neither our user nor root; if you trust it, pass -daemon-uid 1234"},
		{client.ErrHandshakeTimeout, "the daemon at @x accepted the connection but did not finish the handshake; "},
		{client.ErrProtocol, "cannot use the daemon at @x: client: daemon protocol error"},
	} {
		err := daemonflag.Explain("@x", tc.err)
		if !errors.Is(err, tc.err) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Explain(%v) = %q, want it to start %q", tc.err, err, tc.want)
		}
	}
	if err := daemonflag.Explain("@x", fmt.Errorf("dial: %w", &client.PeerError{UID: 1})); !errors.Is(err, client.ErrUntrustedDaemon) {
		t.Errorf("errors.Is lost the cause: %v", err)
	}
}

func TestFail(t *testing.T) {
	var stderr bytes.Buffer
	if code := daemonflag.Fail(&stderr, "prog", nil); code != daemonflag.ExitOK || stderr.Len() != 0 {
		t.Errorf("nil: %d %q", code, stderr.String())
	}
	if code := daemonflag.Fail(&stderr, "prog", errors.New("first\n  second\n")); code != daemonflag.ExitFailure || stderr.String() != "prog: first; second\n" {
		t.Errorf("multi-line: %d %q", code, stderr.String())
	}
	stderr.Reset()
	err := fmt.Errorf("wrapped: %w", daemonflag.Usagef("-count %d: want more", -1))
	if code := daemonflag.Fail(&stderr, "prog", err); code != daemonflag.ExitUsage || stderr.String() != "prog: wrapped: -count -1: want more (see prog -help)\n" {
		t.Errorf("usage: %d %q", code, stderr.String())
	}
}
