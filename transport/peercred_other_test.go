//go:build !linux

package transport_test

import (
	"errors"
	"testing"

	"github.com/katzenthin/katzenthin/transport"
)

func TestPeerCredsUnsupportedPlatform(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tc transportCase) {
		go func() {
			if conn, err := tc.listener.Accept(); err == nil {
				conn.Close()
			}
		}()
		conn, err := tc.dialer.Dial(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := transport.PeerCreds(conn); !errors.Is(err, transport.ErrPeerCredentialsUnsupported) {
			t.Errorf("PeerCreds = %v, want ErrPeerCredentialsUnsupported", err)
		}
	})
}
