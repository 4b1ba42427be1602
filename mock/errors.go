package mock

import "errors"

// The sentinel errors are never modified: compare with errors.Is from any
// goroutine.
var (
	// ErrClosed is returned by Serve when the daemon was closed before it
	// was called, and by WaitRequests and WaitPigeonhole when the daemon
	// closes first.
	ErrClosed = errors.New("mock: daemon closed")

	// ErrInvalidOption is wrapped by the error Serve returns (and Start
	// reports) when an option had a value the daemon cannot use; the
	// wrapping error names the option and the value.
	ErrInvalidOption = errors.New("mock: invalid option")
)
