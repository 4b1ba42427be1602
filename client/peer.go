package client

import (
	"errors"
	"fmt"
	"net"
	"os"
	"slices"

	"github.com/katzenthin/katzenthin/transport"
)

// defaultDaemonUIDs are the uids a daemon may always run as: ours and
// root. A variable so that tests can pretend to be someone else.
var defaultDaemonUIDs = func() []int { return []int{os.Getuid(), 0} }

// checkPeer applies the peer check to a freshly dialed connection. Only
// Unix sockets carry credentials; on other transports, and on systems
// that cannot read them, there is nothing to check.
func (c *Client) checkPeer(conn net.Conn) error {
	cred, err := transport.PeerCreds(conn)
	if errors.Is(err, transport.ErrPeerCredentialsUnsupported) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("client: reading the daemon's peer credentials: %w", err)
	}
	if c.o.peerCheck != nil {
		if err := c.o.peerCheck(cred); err != nil {
			return &PeerError{UID: cred.UID, GID: cred.GID, PID: cred.PID, Err: err}
		}
		return nil
	}
	allowed := append(defaultDaemonUIDs(), c.o.daemonUIDs...)
	if slices.Contains(allowed, cred.UID) {
		return nil
	}
	return &PeerError{UID: cred.UID, GID: cred.GID, PID: cred.PID, Allowed: allowed}
}
