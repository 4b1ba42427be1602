//go:build !linux

package transport

import (
	"fmt"
	"net"
	"runtime"
)

// PeerCreds returns the credentials of the process at the other end of
// conn. This platform offers no supported way to read them: it always
// returns an error wrapping [ErrPeerCredentialsUnsupported].
func PeerCreds(conn net.Conn) (PeerCredentials, error) {
	return PeerCredentials{}, fmt.Errorf("%w on this platform (%s)", ErrPeerCredentialsUnsupported, runtime.GOOS)
}
