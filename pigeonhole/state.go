package pigeonhole

import (
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
)

// WriterState is all a Writer keeps: its stream's write cap, the index of
// the next box it writes, and whether the box there may already hold a
// message whose write was interrupted. An application persists it (it
// marshals to binary and text) and resumes with Client.ResumeWriter. It
// holds a secret, the write cap: it formats as redacted.
type WriterState struct {
	Cap       WriteCap
	Next      MessageBoxIndex
	Uncertain bool
}

// ReaderState is all a Reader keeps: its stream's read cap and the index
// of the next box it reads. It holds a secret, the read cap: it formats
// as redacted.
type ReaderState struct {
	Cap  ReadCap
	Next MessageBoxIndex
}

// The binary forms: a version byte, a kind byte, a flags byte, the cap,
// the index.
const (
	stateVersion    = 1
	kindWriter      = 'W'
	kindReader      = 'R'
	stateHeader     = 3
	writerStateSize = stateHeader + WriteCapSize + MessageBoxIndexSize
	readerStateSize = stateHeader + ReadCapSize + MessageBoxIndexSize
)

// MarshalBinary encodes s in 275 bytes.
func (s WriterState) MarshalBinary() ([]byte, error) {
	var flags byte
	if s.Uncertain {
		flags = 1
	}
	b := append(make([]byte, 0, writerStateSize), stateVersion, kindWriter, flags)
	b = append(b, s.Cap[:]...)
	return append(b, s.Next[:]...), nil
}

// UnmarshalBinary decodes the MarshalBinary form.
func (s *WriterState) UnmarshalBinary(b []byte) error {
	if err := checkState(b, kindWriter, writerStateSize, "WriterState"); err != nil {
		return err
	}
	if b[2] > 1 {
		return fmt.Errorf("%w: WriterState with unknown flags %#x", ErrInvalidRequest, b[2])
	}
	s.Uncertain = b[2] == 1
	copy(s.Cap[:], b[stateHeader:])
	copy(s.Next[:], b[stateHeader+WriteCapSize:])
	return nil
}

// MarshalText encodes s in base64 (the binary form).
func (s WriterState) MarshalText() ([]byte, error) {
	b, _ := s.MarshalBinary()
	return marshalText(b), nil
}

// UnmarshalText decodes the MarshalText form.
func (s *WriterState) UnmarshalText(text []byte) error {
	b, err := decodeState(text, writerStateSize, "WriterState")
	if err != nil {
		return err
	}
	return s.UnmarshalBinary(b)
}

// MarshalBinary encodes s in 243 bytes.
func (s ReaderState) MarshalBinary() ([]byte, error) {
	b := append(make([]byte, 0, readerStateSize), stateVersion, kindReader, 0)
	b = append(b, s.Cap[:]...)
	return append(b, s.Next[:]...), nil
}

// UnmarshalBinary decodes the MarshalBinary form.
func (s *ReaderState) UnmarshalBinary(b []byte) error {
	if err := checkState(b, kindReader, readerStateSize, "ReaderState"); err != nil {
		return err
	}
	if b[2] != 0 {
		return fmt.Errorf("%w: ReaderState with unknown flags %#x", ErrInvalidRequest, b[2])
	}
	copy(s.Cap[:], b[stateHeader:])
	copy(s.Next[:], b[stateHeader+ReadCapSize:])
	return nil
}

// MarshalText encodes s in base64 (the binary form).
func (s ReaderState) MarshalText() ([]byte, error) {
	b, _ := s.MarshalBinary()
	return marshalText(b), nil
}

// UnmarshalText decodes the MarshalText form.
func (s *ReaderState) UnmarshalText(text []byte) error {
	b, err := decodeState(text, readerStateSize, "ReaderState")
	if err != nil {
		return err
	}
	return s.UnmarshalBinary(b)
}

func checkState(b []byte, kind byte, size int, typ string) error {
	if len(b) != size {
		return &LengthError{Type: typ, Got: len(b), Want: size}
	}
	if b[0] != stateVersion || b[1] != kind {
		return fmt.Errorf("%w: not a version %d %s (header %#x %#x)", ErrInvalidRequest, stateVersion, typ, b[0], b[1])
	}
	return nil
}

func decodeState(text []byte, size int, typ string) ([]byte, error) {
	if base64.StdEncoding.DecodedLen(len(text)) > size+2 {
		return nil, &LengthError{Type: typ, Got: base64.StdEncoding.DecodedLen(len(text)), Want: size}
	}
	b, err := base64.StdEncoding.AppendDecode(make([]byte, 0, size+2), text)
	if err != nil {
		return nil, fmt.Errorf("pigeonhole: %s text: %w", typ, err)
	}
	return b, nil
}

// String prints the next index only.
func (s WriterState) String() string {
	return "pigeonhole.WriterState(cap redacted, next " + s.Next.String() + ")"
}

// GoString returns the same as String.
func (s WriterState) GoString() string { return s.String() }

// Format writes String for every verb.
func (s WriterState) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// LogValue logs the redacted form.
func (s WriterState) LogValue() slog.Value { return slog.StringValue(s.String()) }

// String prints the next index only.
func (s ReaderState) String() string {
	return "pigeonhole.ReaderState(cap redacted, next " + s.Next.String() + ")"
}

// GoString returns the same as String.
func (s ReaderState) GoString() string { return s.String() }

// Format writes String for every verb.
func (s ReaderState) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// LogValue logs the redacted form.
func (s ReaderState) LogValue() slog.Value { return slog.StringValue(s.String()) }
