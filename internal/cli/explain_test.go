package cli

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/client"
)

// The peer check cannot be failed for real without a daemon running as
// another user, so its message is checked here.
func TestExplainUntrusted(t *testing.T) {
	err := explain("@katzenpost", fmt.Errorf("dial: %w", &client.PeerError{UID: 1234, PID: 99, Allowed: []int{1000, 0}}))
	if !errors.Is(err, client.ErrUntrustedDaemon) {
		t.Errorf("errors.Is lost the cause: %v", err)
	}
	want := "the daemon at @katzenpost runs as uid 1234 (pid 99), neither our user nor root; if you trust it, pass -daemon-uid 1234"
	if err.Error() != want {
		t.Errorf("got  %q\nwant %q", err, want)
	}
}

func TestExplainOthers(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{client.ErrHandshakeTimeout, "did not finish the handshake"},
		{client.ErrProtocol, "cannot use the daemon at @x: client: daemon protocol error"},
	} {
		err := explain("@x", tc.err)
		if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("explain(%v) = %q, want it to say %q", tc.err, err, tc.want)
		}
	}
}
