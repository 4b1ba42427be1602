package transport

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// PeerCreds returns the credentials of the process at the other end of
// conn, which must be a *net.UnixConn, read with SO_PEERCRED. For any
// other connection, and on platforms other than Linux, it returns an
// error wrapping [ErrPeerCredentialsUnsupported]. It is safe to call
// while other goroutines read from and write to conn.
func PeerCreds(conn net.Conn) (PeerCredentials, error) {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return PeerCredentials{}, fmt.Errorf("%w: %T is not a Unix socket", ErrPeerCredentialsUnsupported, conn)
	}
	rc, err := uc.SyscallConn()
	if err != nil {
		return PeerCredentials{}, fmt.Errorf("transport: peer credentials: %w", err)
	}
	var (
		cred    *syscall.Ucred
		credErr error
	)
	err = rc.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if err != nil {
		return PeerCredentials{}, fmt.Errorf("transport: peer credentials: %w", err)
	}
	if credErr != nil {
		return PeerCredentials{}, fmt.Errorf("transport: peer credentials: %w", os.NewSyscallError("getsockopt", credErr))
	}
	return PeerCredentials{UID: int(cred.Uid), GID: int(cred.Gid), PID: int(cred.Pid)}, nil
}
