// Package pigeonhole holds the types and errors of Pigeonhole, the storage
// API of today's Katzenpost client daemon (kpclientd v0.0.99; PROTOCOL.md
// section 9).
//
// # Boxes and streams
//
// A box is a write-once storage slot on the network's storage replicas,
// holding one signed, encrypted, fixed-size payload (at most the
// geometry's MaxPlaintextPayloadLength bytes, 1549 on the captured
// network). Boxes come in streams: a WriteCap derives an unbounded
// sequence of boxes with their keys; the matching ReadCap derives the same
// boxes and can decrypt and verify them but cannot write. A
// MessageBoxIndex is a position in a stream. One stream is one direction
// of a channel: Alice keeps the WriteCap, gives Bob the ReadCap, writes
// box after box, and Bob reads them in the same order. A write is final:
// writing the same box again with other content changes nothing (the
// daemon reports it as ErrBoxAlreadyExists only when asked to), and an
// empty write (a tombstone) deletes a box for good. A read of a box
// nobody has written yet waits for the write, unless asked to report
// ErrBoxNotFound instead.
//
// # Capabilities
//
// The three objects are fixed-size byte arrays whose layout the client
// may rely on: a WriteCap is the stream's root private key (64 bytes)
// followed by the index of its first box (104 bytes); a ReadCap is the
// root public key (32 bytes) followed by the same first index. So a
// WriteCap gives its ReadCap and first index locally (WriteCap.ReadCap,
// WriteCap.FirstIndex, ReadCap.FirstIndex), and an index's first 8 bytes
// are its counter (MessageBoxIndex.Counter), which starts at a random
// value and grows by one per box. Moving to the next index needs the
// daemon, which does all cryptography; the client only stores and passes
// back these opaque values. They marshal to binary and to base64 text so
// that applications can persist them.
//
// # Couriers
//
// Nobody talks to a replica directly. The daemon encrypts a read or write
// into a courier envelope, sends it through the mixnet to a courier (a
// service on a service node), which forwards it to the replicas and
// answers through a single-use reply block. The daemon retransmits until
// it has a final answer, without limit. A payload larger than one box
// travels as a copy stream: its chunks are written into a temporary
// stream, and one copy command asks a courier to write them all to the
// destination boxes.
//
// # Secrets
//
// Write caps, read caps, envelope descriptors, voucher secret keys and
// plaintexts are secrets: anyone holding a write cap can write the stream,
// anyone holding a read cap can read it, and a descriptor holds a private
// key. The types of this package never print their bytes: formatting a
// WriteCap or ReadCap with any verb, or logging it with log/slog, gives
// "pigeonhole.WriteCap(redacted)"; a MessageBoxIndex prints its counter
// only; an Envelope prints its sizes. Envelope hashes and write-cap hashes
// are cancel handles for any local process, so keep them private too.
//
// # Errors
//
// A reply's error code becomes an *Error carrying the code and its
// namespace (the daemon's own codes, a storage replica's, or a courier's),
// with sentinels for the outcomes an application expects:
// ErrBoxNotFound, ErrBoxAlreadyExists, ErrTombstone, ErrCancelled and
// ErrCopyFailed, matched with errors.Is:
//
//	if errors.Is(err, pigeonhole.ErrTombstone) {
//		// the writer deleted the box: the stream ends here
//	}
package pigeonhole
