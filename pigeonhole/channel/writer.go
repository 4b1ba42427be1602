package channel

import (
	"context"
	"errors"

	"github.com/katzenthin/katzenthin/pigeonhole"
)

// Writer sends messages into a write channel, crash-safely: each
// message's envelope is committed to the store before it is first sent,
// and a pending envelope is only ever sent unchanged, so no box is ever
// written with two different messages. Up to the DB's window of writes
// are in flight at once, each at its own index. It is safe for
// concurrent use; messages take their indexes in the order Submit (or
// Send) is called.
type Writer struct {
	db *DB
	st State
}

func newWriter(db *DB, st State, recs []Record) *Writer {
	return &Writer{db: db, st: st}
}

// start sends the pending records again.
func (w *Writer) start() {}

func (w *Writer) close() {}

// Name returns the channel's name.
func (w *Writer) Name() string { return w.st.Name }

// ReadCap returns the read cap of the channel's stream; with Start it
// is what a reader needs (ImportReader).
func (w *Writer) ReadCap() pigeonhole.ReadCap { return w.st.ReadCap }

// Start returns the index the channel began at.
func (w *Writer) Start() pigeonhole.MessageBoxIndex { return w.st.Start }

// NextSeq returns the sequence number the next Submit will give its
// message: one more than the number of messages committed so far, in
// this run or earlier ones (the first message is 1). After a crash, an
// application resumes with the message of this number: every one before
// it is committed and will be delivered.
func (w *Writer) NextSeq() uint64 { return w.st.EndSeq }

// Write is a message handed to Submit: its outcome is known when Done
// is closed.
type Write struct {
	seq  uint64
	done chan struct{}
	err  error
}

// Seq returns the message's sequence number in the channel.
func (op *Write) Seq() uint64 { return op.seq }

// Done is closed when the write ended: acknowledged by the courier, or
// failed (Err).
func (op *Write) Done() <-chan struct{} { return op.done }

// Err returns the write's error once Done is closed: nil when the
// courier acknowledged it. A write that fails after its envelope was
// committed stays pending in the store and is sent again when the
// channel is next opened.
func (op *Write) Err() error {
	<-op.done
	return op.err
}

// Wait waits for the write to end, or for ctx to end (the write goes
// on), and returns its error.
func (op *Write) Wait(ctx context.Context) error {
	select {
	case <-op.done:
		return op.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Submit takes the next index for msg (1 to the daemon's
// MaxPlaintextPayloadLength bytes; an empty one is a tombstone, which
// deletes the box for good) and returns at once, once a slot of the
// window is free; encryption, commit and write go on in the background
// and the returned Write tells how they ended. ctx bounds the whole
// write. If the message fails before it is committed, every message
// submitted after it fails too, with ErrAborted, and the index is free
// again: submit them again, in order.
func (w *Writer) Submit(ctx context.Context, msg []byte) (*Write, error) {
	return nil, errors.ErrUnsupported
}

// Send is Submit, then waits for the write to end.
func (w *Writer) Send(ctx context.Context, msg []byte) error {
	op, err := w.Submit(ctx, msg)
	if err != nil {
		return err
	}
	return op.Wait(ctx)
}

// SendLarge sends payload (up to pigeonhole.MaxPayload bytes) into
// consecutive boxes through a copy command: the daemon cuts it into
// box-sized chunks, which a reader receives as consecutive messages.
// Nothing frames it: an application that needs the payload's end marks
// it itself. Crash-safe too: the temporary stream of the copy command is
// committed before the command goes out, and after a crash the command
// is sent again for the same stream. It counts as one message (one
// sequence number) for the writer, and waits for the writes before it.
func (w *Writer) SendLarge(ctx context.Context, payload []byte) error {
	return errors.ErrUnsupported
}

// Flush waits until every message committed so far (including those
// sent again after a reopen) is acknowledged, or one fails.
func (w *Writer) Flush(ctx context.Context) error {
	return errors.ErrUnsupported
}

// Close ends the channel: writes in flight end with ErrClosed, and their
// pending records stay in the store, to be sent again at the next open.
func (w *Writer) Close() error {
	w.close()
	return nil
}
