package channel

import "errors"

// Sentinels of package channel, matched with errors.Is. Errors of the
// daemon calls (pigeonhole.ErrTombstone, context errors, ...) are passed
// through wrapped, so errors.Is finds them too.
var (
	// ErrNotFound: no channel of that name in the store.
	ErrNotFound = errors.New("channel: no such channel")
	// ErrExists: a channel of that name is in the store already.
	ErrExists = errors.New("channel: a channel of that name exists")
	// ErrWrongKind: the channel is a read channel where a write channel
	// was asked for, or the other way round.
	ErrWrongKind = errors.New("channel: wrong kind of channel")
	// ErrInUse: the channel is open already (a channel is opened once at
	// a time, since two writers would give one index two messages), or
	// is open and cannot be deleted.
	ErrInUse = errors.New("channel: channel is open")
	// ErrLocked: another process holds the store file (Open waited for
	// WithLockTimeout and gave up).
	ErrLocked = errors.New("channel: store file is locked by another process")
	// ErrCorrupt: the store file is damaged or is not a channel store.
	ErrCorrupt = errors.New("channel: store file is corrupt or not a channel store")
	// ErrClosed: the DB, Writer or Reader is closed.
	ErrClosed = errors.New("channel: closed")
	// ErrNoClient: a call needs the daemon, and no client was given
	// (WithClients).
	ErrNoClient = errors.New("channel: no daemon connection (use WithClients)")
	// ErrAborted: an earlier message of the same writer failed before it
	// was committed, so this one, which would have followed it, was not
	// committed either and nothing of it was sent. Submit it again.
	ErrAborted = errors.New("channel: an earlier message failed before it was committed")
	// ErrUnknownSeq: Ack of a sequence number the reader never handed
	// out.
	ErrUnknownSeq = errors.New("channel: unknown sequence number")
	// ErrInvalidName: a channel name that is empty or longer than
	// MaxNameLength bytes.
	ErrInvalidName = errors.New("channel: invalid channel name")
)
