package pigeonhole

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
)

// Formatting never prints the secret bytes of a capability, whatever the
// verb (%v %s %x %X %q %+v %#v) and whatever the logger: the caps
// implement fmt.Formatter, fmt.Stringer, fmt.GoStringer and
// slog.LogValuer, and print only their type. One case fmt cannot cover: a
// cap in an unexported field of a struct printed with %v is printed by
// reflection, bytes and all, since fmt cannot call methods there. Keep
// caps in exported fields, or format them on their own.

const (
	redactedWriteCap = "pigeonhole.WriteCap(redacted)"
	redactedReadCap  = "pigeonhole.ReadCap(redacted)"
)

// String returns "pigeonhole.WriteCap(redacted)".
func (WriteCap) String() string { return redactedWriteCap }

// GoString returns the same as String.
func (WriteCap) GoString() string { return redactedWriteCap }

// Format writes String for every verb.
func (WriteCap) Format(f fmt.State, _ rune) { io.WriteString(f, redactedWriteCap) }

// LogValue logs the redacted form.
func (WriteCap) LogValue() slog.Value { return slog.StringValue(redactedWriteCap) }

// String returns "pigeonhole.ReadCap(redacted)".
func (ReadCap) String() string { return redactedReadCap }

// GoString returns the same as String.
func (ReadCap) GoString() string { return redactedReadCap }

// Format writes String for every verb.
func (ReadCap) Format(f fmt.State, _ rune) { io.WriteString(f, redactedReadCap) }

// LogValue logs the redacted form.
func (ReadCap) LogValue() slog.Value { return slog.StringValue(redactedReadCap) }

// String returns "pigeonhole.MessageBoxIndex(N)" with the counter N; the
// keys of the position are not printed.
func (i MessageBoxIndex) String() string {
	return "pigeonhole.MessageBoxIndex(" + strconv.FormatUint(i.Counter(), 10) + ")"
}

// GoString returns the same as String.
func (i MessageBoxIndex) GoString() string { return i.String() }

// Format writes String for every verb.
func (i MessageBoxIndex) Format(f fmt.State, _ rune) { io.WriteString(f, i.String()) }

// LogValue logs the counter only.
func (i MessageBoxIndex) LogValue() slog.Value { return slog.StringValue(i.String()) }

// Envelope is an encrypted box operation prepared by the daemon
// (encrypt_write or encrypt_read): the courier query, the descriptor that
// decrypts the replica's answer (a secret: it holds an MKEM private key),
// the operation's hash (its cancel handle) and the index after the box.
type Envelope struct {
	Ciphertext []byte
	Descriptor []byte // secret
	Hash       [32]byte
	Next       MessageBoxIndex
}

// String describes e by its sizes and next index, never its bytes: the
// descriptor is secret, and the hash is a cancel handle.
func (e Envelope) String() string {
	return fmt.Sprintf("pigeonhole.Envelope(ciphertext %d B, descriptor redacted, next %s)", len(e.Ciphertext), e.Next)
}

// GoString returns the same as String.
func (e Envelope) GoString() string { return e.String() }

// Format writes String for every verb.
func (e Envelope) Format(f fmt.State, _ rune) { io.WriteString(f, e.String()) }

// LogValue logs the redacted form.
func (e Envelope) LogValue() slog.Value { return slog.StringValue(e.String()) }
