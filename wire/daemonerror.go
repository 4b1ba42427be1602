package wire

import (
	"github.com/fxamacker/cbor/v2"
)

// DaemonError is a non-null error field of an event. The v0.0.47 daemon
// encodes a Go error as an empty map (its text is lost); later releases
// send text. Any non-null value means the operation failed: a nil
// *DaemonError is success.
type DaemonError struct {
	// Text is the daemon's message, empty when the daemon did not send one.
	Text string
}

// Error returns the daemon's text, or says that it sent none.
func (e *DaemonError) Error() string {
	if e.Text == "" {
		return "daemon reported an error (no detail sent)"
	}
	return "daemon: " + e.Text
}

// UnmarshalCBOR accepts any non-null value: text is kept, anything else
// (the v0.0.47 empty map included) is an error without detail.
func (e *DaemonError) UnmarshalCBOR(b []byte) error {
	e.Text = ""
	if len(b) > 0 && b[0]&0xe0 == majorText {
		var s string
		if err := decMode.Unmarshal(b, &s); err != nil {
			return err
		}
		e.Text = s
		return nil
	}
	// Any other well-formed value: the caller's decoder has already
	// checked well-formedness of the whole item.
	return nil
}

// MarshalCBOR writes the text, as the daemons after v0.0.47 do.
func (e *DaemonError) MarshalCBOR() ([]byte, error) {
	return encMode.Marshal(e.Text)
}

var (
	_ cbor.Unmarshaler = (*DaemonError)(nil)
	_ cbor.Marshaler   = (*DaemonError)(nil)
)
