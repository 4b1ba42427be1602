package channel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/katzenthin/katzenthin/pigeonhole"
)

// Message is a message a Reader received. Its Seq is stable: the same
// message has the same Seq when it is handed out again after a restart.
// Data is a plaintext, a secret: the type prints its size only.
type Message struct {
	Seq   uint64
	Index pigeonhole.MessageBoxIndex
	Data  []byte
}

// String describes m without its data.
func (m Message) String() string {
	return fmt.Sprintf("channel.Message(%d, %d bytes)", m.Seq, len(m.Data))
}

// GoString returns the same as String.
func (m Message) GoString() string { return m.String() }

// Format writes String for every verb.
func (m Message) Format(f fmt.State, _ rune) { fmt.Fprint(f, m.String()) }

// LogValue logs the redacted form.
func (m Message) LogValue() slog.Value { return slog.StringValue(m.String()) }

// Reader receives the messages of a read channel, box after box, each
// committed to the store with the advanced index before Receive returns
// it; they stay in the store until Ack. Up to the DB's window of boxes
// are read ahead, and committed strictly in index order. It is safe for
// concurrent use.
type Reader struct {
	db *DB
	st State
}

func newReader(db *DB, st State, recs []Record) *Reader {
	return &Reader{db: db, st: st}
}

func (r *Reader) close() {}

// Name returns the channel's name.
func (r *Reader) Name() string { return r.st.Name }

// Receive returns the next message: first those received and not
// acknowledged in an earlier run, then new ones, waiting for the box to
// be written for as long as ctx allows. A tombstone fails with
// pigeonhole.ErrTombstone and the reader stays at that box.
func (r *Reader) Receive(ctx context.Context) (Message, error) {
	return Message{}, errors.ErrUnsupported
}

// Ack tells the store that the application is done with message seq:
// it is deleted and not handed out again. Acknowledging a message
// twice is not an error.
func (r *Reader) Ack(ctx context.Context, seq uint64) error {
	return errors.ErrUnsupported
}

// Close ends the channel: reads in flight are cancelled (nothing is
// committed for them).
func (r *Reader) Close() error {
	r.close()
	return nil
}
