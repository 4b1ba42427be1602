// Package pigeonhole is Pigeonhole, the storage API of today's Katzenpost
// client daemon (kpclientd v0.0.99; docs/protocol.md section 9): its calls, its
// types and errors, and stream helpers on top.
//
// # Using it
//
// New wraps a connected *client.Client. Every call takes a context and
// blocks until the daemon's answer; on a real network encrypting takes
// seconds, a write a few seconds, a read ten or more, a copy command
// minutes, so give each call a deadline that allows for it. A call
// survives reconnections: after every handshake the client asks again
// what is not answered yet, with the same query ID. On a v0.0.47 daemon
// every call fails with client.ErrUnsupported.
//
//	p := pigeonhole.New(c)                              // options: WithReadRefresh
//	w, r, first, err := p.NewKeypair(ctx, seed)        // a stream; seed: 32 secret random bytes
//	env, err := p.EncryptWrite(ctx, &w, &first, msg)    // nothing sent yet
//	err = p.Write(ctx, &w, env)                         // the courier has it
//	env, err = p.EncryptRead(ctx, &r, &first)
//	msg, err = p.Read(ctx, &r, &first, env)             // waits for the box
//
// Write and Read (and their variants WriteExclusive, which reports
// ErrBoxAlreadyExists, and TryRead, which reports ErrBoxNotFound instead
// of waiting) and Copy hand an operation to the daemon, which resends it
// until a courier gives a final answer. The client keeps at most 16 of
// them outstanding per connection (client.MaxStartsInFlight; a 17th would
// stall the daemon's reading of the connection); further calls wait in
// the client, within their context. When the context of such a call ends,
// the client sends the daemon the matching cancel (also while the daemon
// reports itself offline, and after the next handshake if the connection
// is down), and the call returns the context's error. CancelEnvelope and
// CancelCopy cancel by hash an operation started elsewhere.
//
// Values the daemon would refuse are refused before anything is written,
// with ErrInvalidLength or ErrInvalidRequest: a wrong-length seed, a nil
// plaintext (a tombstone is an empty, non-nil one), a plaintext longer than
// the daemon's MaxPlaintextPayloadLength, a payload over MaxPayload. A
// capability or index of the wrong length would make the daemon close the
// connection; the fixed-size types cannot hold one. A nil *WriteCap,
// *ReadCap or *MessageBoxIndex is refused with ErrInvalidRequest.
//
// The rest of docs/protocol.md 9.6: NextIndex and Counter for indexes; the
// copy-stream builders EnvelopesFromPayload, EnvelopesFromMultiPayload and
// EnvelopesFromTombstoneRange with Copy and CopyVia; DirectoryAuthorities;
// and the Contact Voucher calls VoucherMint, VoucherDeriveStream,
// VoucherInduct and VoucherOpen.
//
// # Streams
//
// Most applications write and read streams in order, and a Writer and a
// Reader do the bookkeeping: they keep the next box's index, move on after
// each message, write tombstones (the reader gets ErrTombstone, and moves
// past it), and carry a payload larger than a box (up to MaxLargePayload)
// through a copy command, prefixed with its length so that
// Reader.ReadLarge knows where it ends:
//
//	alice := p.NewWriter(w)
//	err := alice.Write(ctx, []byte("hello"))
//	err = alice.WriteLarge(ctx, file)
//	err = alice.Tombstone(ctx)
//
//	bob := p.NewReader(r)
//	msg, err := bob.Read(ctx)       // waits; TryRead does not
//	file, err := bob.ReadLarge(ctx)
//
// Their whole state (the cap and the next index) is a WriterState or
// ReaderState that marshals to binary and text: persist it after each
// call and resume with ResumeWriter or ResumeReader. A write whose outcome
// is unknown (its context ended after it went out) leaves the Writer
// Uncertain: its next write checks the box and skips it if the earlier
// message landed there, so nothing is silently lost.
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
// empty write (a tombstone) deletes a box for good, replacing what it
// held. A read of a box nobody has written yet waits for the write,
// unless asked to report ErrBoxNotFound instead (see "Waiting reads").
//
// # Waiting reads
//
// A courier answers the retransmissions of one read envelope from a cache
// once it has asked the replicas five times, which the daemon's
// retransmissions use up in about 20 s, and keeps that answer for 5
// minutes or longer (docs/protocol.md 9.7 item 4): an envelope whose box
// is written later than that never sees the write. So a read that waits
// (Read, Reader.Read, the reads of ReadLarge) refreshes its envelope: after
// 15 s, then at intervals doubling up to 4 minutes, it encrypts the read
// again, cancels the old envelope, and starts the new one once the old
// one has ended, so that at most one envelope per read is live. An answer
// to the old envelope that arrives during a refresh is the read's answer.
// Each refresh costs the daemon one encrypt_read, an MKEM encapsulation of
// seconds of CPU that holds up the connection's other local requests:
// WithReadRefresh changes the schedule or turns it off, Client.Stats
// counts the refreshes, and a client.Tracer that implements RefreshTracer
// is told about each one.
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
