package service

import (
	"encoding/hex"
	"fmt"
	"strconv"
)

// MaxQueueLength is the longest recipient queue ID the daemon accepts, in
// bytes (it is a fixed 32-byte field in the Sphinx packet).
const MaxQueueLength = 32

// Destination is where a message goes: a service node and a queue on it.
// It is a plain value; copies share Queue, which nobody should modify.
type Destination struct {
	NodeHash [32]byte // BLAKE2b-256 of the service node's IdentityKey
	Queue    []byte   // recipient queue ID, 1..32 bytes
}

// Validate reports why the daemon would not accept d, or nil. The error
// wraps ErrInvalidDestination. A zero NodeHash (the zero value, or a node
// that was never filled in), an empty queue and a queue over
// MaxQueueLength bytes are refused: the v0.0.47 daemon panics on the last
// two, taking every client down with it. The client calls this before
// sending.
func (d Destination) Validate() error {
	switch {
	case d.NodeHash == [32]byte{}:
		return fmt.Errorf("%w: zero node hash", ErrInvalidDestination)
	case len(d.Queue) == 0:
		return fmt.Errorf("%w: empty queue", ErrInvalidDestination)
	case len(d.Queue) > MaxQueueLength:
		return fmt.Errorf("%w: queue of %d bytes, at most %d allowed", ErrInvalidDestination, len(d.Queue), MaxQueueLength)
	}
	return nil
}

// String returns the start of the node hash and the quoted queue, for
// logs: 73026f2d1c940e91/"+echo".
func (d Destination) String() string {
	return hex.EncodeToString(d.NodeHash[:8]) + "/" + strconv.Quote(string(d.Queue))
}
