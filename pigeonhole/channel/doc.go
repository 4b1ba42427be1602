// Package channel is durable Pigeonhole channels: named write and read
// channels whose state lives in a store, so that a crash of the
// application loses nothing it was told is sent or received, and never
// writes a box twice with different content.
//
// # Using it
//
// Open opens (or creates) the store file, a bbolt database, with the
// daemon connections that move the messages. A few connections let the
// daemon encrypt in parallel (it runs one connection's encryptions one at
// a time, each seconds of CPU):
//
//	db, err := channel.Open("channels.db", channel.WithClients(p1, p2, p3))
//	w, err := db.CreateWriter(ctx, "to-bob")          // a new stream
//	err = w.Send(ctx, []byte("hello"))                   // committed, sent, acknowledged
//	readCap, start := w.ReadCap(), w.Start()             // hand these to Bob
//
//	r, err := db.ImportReader(ctx, "from-alice", readCap, start) // Bob's side
//	m, err := r.Receive(ctx)                             // committed before it returns
//	err = r.Ack(ctx, m.Seq)                              // done with it: never handed out again
//
// Later runs open the same channels by name (DB.Writer, DB.Reader); a
// write cap and index from elsewhere become a channel with ImportWriter;
// List and Delete manage them. New runs the same channels over any
// Store, such as NewMemoryStore or one over the application's own
// database; channeltest.Run checks that a Store keeps the contract.
//
// # Throughput
//
// A Writer keeps up to WithWindow writes in flight, each at its own
// index: Submit returns once the message has its index, and the returned
// Write tells when the courier acknowledged it; they may be acknowledged
// in any order. A Reader reads up to the window ahead. Each box takes a
// courier round trip (a read two), so a window of W moves up to W boxes
// per round trip instead of one. Encryptions go to the least busy
// connection of WithClients. A large payload goes through one copy
// command with SendLarge.
//
// # Crash safety
//
// The rules: a message's envelope is committed to the store before it is
// first sent; on reopen every pending envelope is sent again unchanged,
// before anything new; so an index is never written with two different
// messages, and the courier deduplicates the repeated ciphertext by its
// hash (the replica write is idempotent). Messages are committed in index
// order, so the committed ones are always the first ones. The durable
// next index (State.Next) moves only when a write is acknowledged, in the
// same transaction that drops its pending record, to the lowest index
// not acknowledged. A received message is committed together with the
// advanced index before Receive returns it, and stays until Ack: at
// least once to the application, exactly once in the store.
//
// What survives a crash at each step of a send (Writer.Submit, Send):
//
//	| step                                     | the store then holds             | after reopen                                       |
//	|------------------------------------------|----------------------------------|----------------------------------------------------|
//	| 1. the message takes index i             | nothing of it                    | i is free; NextSeq names the message to send again |
//	| 2. the daemon encrypts it (EncryptWrite) | nothing of it; nothing was sent  | i is free                                          |
//	| 3. commit: pending {i, envelope}         | the envelope, End past i         | the envelope is sent again, unchanged, first       |
//	| 4. the write is in flight                | the pending envelope             | sent again unchanged; the box holds it once        |
//	| 5. acknowledged; commit: drop pending,   | nothing pending for i; Next past | nothing to do for i                                |
//	|    Next = lowest unacknowledged          | every acknowledged index         |                                                    |
//
// A large message (SendLarge): its chunks are written into a fresh
// temporary stream first (a crash there leaves the channel's boxes
// untouched and i free: step 2); then the temporary stream's write cap is
// committed as the pending record (step 3), and the copy command goes
// out; after a crash the copy command is sent again for the same
// temporary stream, which writes the same ciphertexts into the same
// boxes.
//
// What survives a crash at each step of a receive (Reader.Receive, Ack):
//
//	| step                                        | the store then holds         | after reopen                                  |
//	|---------------------------------------------|------------------------------|-----------------------------------------------|
//	| 1. box i (and those read ahead) in flight   | nothing of them; Next is i   | box i is read again                           |
//	| 2. commit: message {seq, data}, Next past i | the message and the new Next | Receive hands it out again, with the same seq |
//	| 3. Receive returned it                      | the message                  | handed out again until acknowledged           |
//	| 4. Ack(seq): commit: delete it              | nothing of it                | not handed out again                          |
//
// Failures: a failed commit (a full disk) fails the message, and nothing
// of it was sent; the messages submitted after it fail with ErrAborted
// and their indexes are free again. A failed commit of an acknowledgement
// fails Send while the record stays pending: it is sent again, which is
// harmless. A write that fails after its commit (its context ended, Close)
// stays pending: Flush sends it again, and so does the next open. A
// tombstone stops the reader at its box with pigeonhole.ErrTombstone; it
// never moves past one silently.
//
// Limits: a pending envelope stays valid for one to two weeks (the
// daemon's replica epochs, docs/protocol.md 9.7); one left pending longer
// fails when it is sent again, and the channel cannot re-encrypt it, as
// it keeps no plaintext. A channel is open in one DB at a time, and a
// store file in one process at a time (ErrInUse, ErrLocked). Open
// refuses a file that is not a channel store, is cut short, or whose
// meta pages are damaged, with ErrCorrupt; bbolt checksums only those
// pages, so damage inside the others (which no crash causes: its commits
// are atomic, but a failing disk or another program might) can crash the
// process when it reads them. Remove such a file and start the channels
// again.
//
// # Secrets
//
// States, records and messages hold capabilities, envelope descriptors
// and plaintexts. They never print: formatting a State, Record or Message
// shows names, sizes and counters only. The store file is created with
// mode 0600.
package channel
