package wire

import (
	"errors"
	"fmt"
)

var (
	// ErrFrameTooLarge is returned by Reader.ReadFrame when a frame's length
	// prefix is over the reader's limit. The error returned is a
	// *FrameTooLargeError, which gives both sizes.
	ErrFrameTooLarge = errors.New("wire: frame too large")
	// ErrMalformed is returned by the decoders when a frame body is not
	// CBOR, or not CBOR of the message's shape.
	ErrMalformed = errors.New("wire: malformed message")
	// ErrNoEvent is returned by Response.Event when a response carries
	// none of the events this package knows: a newer daemon's event, or
	// an empty envelope.
	ErrNoEvent = errors.New("wire: response carries no known event")
	// ErrManyEvents is returned by Response.Event when a response carries
	// more than one event.
	ErrManyEvents = errors.New("wire: response carries more than one event")
)

// FrameTooLargeError reports a length prefix over the reader's limit. It
// is returned before anything of that size is allocated.
type FrameTooLargeError struct {
	Size  uint64 // the length the prefix announced
	Limit uint64 // the reader's limit
}

// Error gives the announced size and the limit.
func (e *FrameTooLargeError) Error() string {
	return fmt.Sprintf("wire: frame of %d bytes is over the %d-byte limit", e.Size, e.Limit)
}

// Is reports whether target is ErrFrameTooLarge.
func (e *FrameTooLargeError) Is(target error) bool { return target == ErrFrameTooLarge }

// decodeError reports a frame body that does not decode as the message
// named in message; it matches ErrMalformed.
type decodeError struct {
	message string // e.g. "response", "request"
	err     error  // the underlying decoder error
}

func (e *decodeError) Error() string {
	return fmt.Sprintf("wire: malformed %s: %v", e.message, e.err)
}

func (e *decodeError) Unwrap() error { return e.err }

func (e *decodeError) Is(target error) bool { return target == ErrMalformed }
