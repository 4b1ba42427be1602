package client_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/transport"
)

func TestPeerCheck(t *testing.T) {
	f := startFake(t, func(c *fakeConn) { c.greet(t); c.echoLoop(nil) })
	t.Run("default allows our own uid", func(t *testing.T) {
		f.mustDial(t)
	})
	t.Run("default refuses another uid", func(t *testing.T) {
		defer client.SetDefaultDaemonUIDs(os.Getuid() + 4242)()
		_, err := f.dial(t)
		var pe *client.PeerError
		if !errors.Is(err, client.ErrUntrustedDaemon) || !errors.As(err, &pe) {
			t.Fatalf("Dial = %v", err)
		}
		if pe.UID != os.Getuid() || pe.PID != os.Getpid() {
			t.Fatalf("credentials %+v", pe)
		}
		msg := err.Error()
		for _, want := range []string{fmt.Sprintf("uid %d", os.Getuid()), fmt.Sprintf("pid %d", os.Getpid()), "WithDaemonUIDs"} {
			if !strings.Contains(msg, want) {
				t.Fatalf("%q does not name %q", msg, want)
			}
		}
	})
	t.Run("WithDaemonUIDs allows it", func(t *testing.T) {
		defer client.SetDefaultDaemonUIDs(os.Getuid() + 4242)()
		f.mustDial(t, client.WithDaemonUIDs(os.Getuid()))
	})
	t.Run("a custom check that expects another uid", func(t *testing.T) {
		want := os.Getuid() + 1
		_, err := f.dial(t, client.WithPeerCheck(func(p transport.PeerCredentials) error {
			if p.UID != want {
				return fmt.Errorf("daemon must run as uid %d", want)
			}
			return nil
		}))
		var pe *client.PeerError
		if !errors.Is(err, client.ErrUntrustedDaemon) || !errors.As(err, &pe) || pe.Err == nil {
			t.Fatalf("Dial = %v", err)
		}
	})
}
