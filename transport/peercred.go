package transport

// PeerCredentials identifies the process at the other end of a Unix
// socket, as the kernel recorded it when the connection was made (a
// later change of user by that process is not reflected).
//
// A process in another user or PID namespace appears with its IDs mapped
// into ours: an unmapped user as the overflow uid (usually 65534), an
// invisible process as PID 0.
//
// PeerCredentials is a plain value and safe for concurrent use.
type PeerCredentials struct {
	UID int
	GID int
	PID int
}
