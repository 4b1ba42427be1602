package pigeonhole

import "fmt"

// errNilPointer is the error of a call given a nil *WriteCap, *ReadCap
// or *MessageBoxIndex: it matches ErrInvalidRequest, and nothing is sent.
func errNilPointer(what string) error {
	return fmt.Errorf("%w: nil %s", ErrInvalidRequest, what)
}
