package wire

import (
	"errors"
	"fmt"
)

var (
	// ErrFrameTooLarge is matched (errors.Is) by every *FrameTooLargeError.
	ErrFrameTooLarge = errors.New("wire: frame too large")
	// ErrMalformed is matched (errors.Is) by every *DecodeError: the bytes
	// were not CBOR, or not CBOR of the message's shape.
	ErrMalformed = errors.New("wire: malformed message")
	// ErrNoEvent means a response carried none of the events this package
	// knows (a newer daemon's event, or an empty envelope).
	ErrNoEvent = errors.New("wire: response carries no known event")
	// ErrManyEvents means a response carried more than one event.
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

// DecodeError reports a frame body that does not decode as the message
// named in Message.
type DecodeError struct {
	Message string // e.g. "response", "request"
	Err     error  // the underlying decoder error
}

// Error names the message and the decoder's complaint.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("wire: malformed %s: %v", e.Message, e.Err)
}

// Unwrap returns the underlying decoder error.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is reports whether target is ErrMalformed.
func (e *DecodeError) Is(target error) bool { return target == ErrMalformed }
