package channel

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/katzenthin/katzenthin/pigeonhole"
)

// Store keeps the durable state of channels: per channel a State and a
// set of Records keyed by sequence number. Open's bbolt file and
// NewMemoryStore are the bundled ones; an application that keeps its
// state in its own database implements Store over it and checks it with
// channeltest.Run (and channeltest.RunPersistent for a store that
// survives Close).
//
// The crash-safety of the channels rests on Commit being atomic and
// durable: when it returns nil, every part of the Change is on stable
// storage; when it fails or the process dies inside it, none is. Each
// method must be safe for concurrent use. Values passed in and returned
// are the caller's: a store copies what it keeps (State and Record hold
// slices). State.MarshalBinary and Record.MarshalBinary give a store
// bytes to keep if it has no use for the fields.
type Store interface {
	// Create adds a channel with state st and no records; ErrExists if
	// st.Name is taken.
	Create(ctx context.Context, st State) error
	// Load returns the channel's state and its records in ascending
	// Seq order; ErrNotFound if there is no such channel.
	Load(ctx context.Context, name string) (State, []Record, error)
	// List returns the state of every channel, ordered by name.
	List(ctx context.Context) ([]State, error)
	// Delete removes the channel and its records; ErrNotFound if there
	// is no such channel.
	Delete(ctx context.Context, name string) error
	// Commit applies c to the channel in one atomic, durable
	// transaction; ErrNotFound (and no change) if there is no such
	// channel. A Change that fails Check against the channel's state
	// is refused whole.
	Commit(ctx context.Context, name string, c Change) error
	// Close releases the store. Calls after it fail.
	Close() error
}

// Kind says whether a channel writes or reads.
type Kind uint8

// The kinds of channel.
const (
	KindWrite Kind = 1 // holds a write cap; Writer
	KindRead  Kind = 2 // holds a read cap; Reader
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindWrite:
		return "write"
	case KindRead:
		return "read"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// MaxNameLength is the longest channel name, in bytes.
const MaxNameLength = 255

// State is a channel's durable state. It holds secrets (the caps) and
// formats as redacted, printing its name, kind and counters only.
type State struct {
	Name string
	Kind Kind
	// WriteCap is set for write channels only.
	WriteCap pigeonhole.WriteCap
	// ReadCap is the stream's read cap; for a write channel the one
	// that goes with WriteCap, to hand to readers.
	ReadCap pigeonhole.ReadCap
	// Start is the index the channel began at (hand it to a reader
	// with ReadCap).
	Start pigeonhole.MessageBoxIndex
	// Next and NextSeq: for a write channel, the lowest index whose
	// write is not acknowledged yet (the durable next index) and its
	// sequence number; for a read channel, the next box to read and the
	// sequence number its message will get.
	Next    pigeonhole.MessageBoxIndex
	NextSeq uint64
	// End and EndSeq (write channels): the first index no committed
	// message occupies, where the next new message goes, and its
	// sequence number. Read channels keep them equal to Next, NextSeq.
	End    pigeonhole.MessageBoxIndex
	EndSeq uint64
}

// String describes s without its caps.
func (s State) String() string {
	return fmt.Sprintf("channel.State(%q %v next=%d seq=%d end=%d seq=%d)", s.Name, s.Kind, s.Next.Counter(), s.NextSeq, s.End.Counter(), s.EndSeq)
}

// GoString returns the same as String.
func (s State) GoString() string { return s.String() }

// Format writes String for every verb.
func (s State) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

// LogValue logs the redacted form.
func (s State) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Record is one entry of a channel, keyed by Seq. A write channel keeps
// one per message committed and not yet acknowledged (a pending write):
// the envelope that is sent, unchanged, until the courier acknowledges
// it, or, for a large message, the temporary stream of its copy command.
// A read channel keeps one per message received and not yet acknowledged
// by the application. Exactly one of Envelope, CopyCap and Message is
// set. A Record holds secrets and formats as its sizes only.
type Record struct {
	Seq   uint64
	Index pigeonhole.MessageBoxIndex // the (first) box of the message
	// Envelope is a pending write's encrypted box write.
	Envelope *pigeonhole.Envelope
	// CopyCap is the temporary stream of a pending large write: its
	// copy-stream elements are written, and the copy command is sent
	// (again) until it succeeds.
	CopyCap *pigeonhole.WriteCap
	// Message is a received plaintext (possibly empty).
	Message []byte
}

// String describes r without its secrets.
func (r Record) String() string {
	switch {
	case r.Envelope != nil:
		return fmt.Sprintf("channel.Record(%d pending write at %d, %d-byte envelope)", r.Seq, r.Index.Counter(), len(r.Envelope.Ciphertext))
	case r.CopyCap != nil:
		return fmt.Sprintf("channel.Record(%d pending copy at %d)", r.Seq, r.Index.Counter())
	}
	return fmt.Sprintf("channel.Record(%d message from %d, %d bytes)", r.Seq, r.Index.Counter(), len(r.Message))
}

// GoString returns the same as String.
func (r Record) GoString() string { return r.String() }

// Format writes String for every verb.
func (r Record) Format(f fmt.State, _ rune) { fmt.Fprint(f, r.String()) }

// LogValue logs the redacted form.
func (r Record) LogValue() slog.Value { return slog.StringValue(r.String()) }

// Change is what one Commit does to a channel, all of it or none.
type Change struct {
	// State, if not nil, replaces the channel's state. Its Name and
	// Kind are the channel's.
	State *State
	// Put adds records, replacing any of the same Seq.
	Put []Record
	// Delete removes the records of these sequence numbers; a missing
	// one is not an error. Deletes apply before puts.
	Delete []uint64
}

// Check reports whether c may be applied to a channel whose state is
// cur: its State keeps the channel's name and kind and is well formed,
// and each of its records has exactly one of Envelope, CopyCap and
// Message. A Store calls it inside Commit's transaction, before writing.
func (c Change) Check(cur State) error { return checkChange(cur, c) }
