// Package mock is an in-process fake of the Katzenpost client daemon
// (kpclientd), the httptest of this SDK: a real server on a real socket
// that speaks the thin-client protocol of docs/protocol.md exactly, in either
// generation (kpclientd v0.0.47 or v0.0.99; see WithGeneration), so that
// what passes against it works against the real daemon.
//
// The mock has no mixnet behind it. It serves a generated PKI document
// (three mixes, a gateway and a service node; see New) and answers sends
// to the service node's services in-process: "echo" by default, more with
// WithService. It reproduces the daemon's quirks, the ones a client must
// cope with: the handshake frames, the v0.0.47 "{}" errors and the
// misspelt shutdown key, reply payloads zero-padded to the SURB size, ARQ
// retransmissions and garbage-collection events (on a shortened clock),
// silent loss (WithLoss), v0.0.99 session resumption and error codes,
// and, when asked (WithSendPacing, WithDocumentPacing), the daemon's pace:
// one message into the mixnet per Poisson send slot.
//
// On v0.0.99 it also speaks Pigeonhole, the storage API (docs/protocol.md 9),
// without real cryptography but with the sizes and layouts of 9.3: one
// in-memory box store per Daemon shared by all its connections, the
// outcomes and orderings of 9.7 and 9.11 (a default read of an empty box
// waits for its write, but only while the courier's envelope cache lets
// it: after a few retransmissions of one envelope the courier answers it
// from its cache and the read starves, see WithCourierCache; a tombstone
// replaces a written box; a cancel answers the start with 24 before its
// own reply; a reply that comes while a session is away is lost), copy
// streams, and the 16 start slots per connection whose exhaustion stops a
// connection's reading. WithPigeonholeLatency and WithPigeonholeLoss make
// it slow like the real thing, WithCourierCache and
// WithPigeonholeRetransmit scale the cache's times for tests; HoldPigeonhole and ReleasePigeonhole keep
// operations in flight for a test; PigeonholeStats counts them, and
// WaitPigeonhole waits until the counts say what a test needs.
// Requests that would crash the real v0.0.47 daemon close the offending
// connection and are recorded (Violations), so tests notice them.
//
// Tests steer it: SetConnected, PublishDocument, DropConnections,
// HoldReplies and ReleaseReplies (or ReleaseOne), HoldPigeonhole and
// ReleasePigeonhole, WriteBox, and wait for it without sleeping with
// WaitRequests and WaitPigeonhole. Stats counts what it saw. The mockd command serves one
// over a socket for other languages' thin clients.
//
// Outside tests (a demo, a backend under development), Listen starts a
// daemon on an address and returns it with its address, and
// ListenAndServe serves an existing one, as in net/http.
//
// Concurrency: a Daemon and all its methods are safe for concurrent use;
// Option, Stats and Violation are plain values; service handlers are
// called from the daemon's goroutines, several at once (see Handler).
//
// A short example:
//
//	func TestEcho(t *testing.T) {
//		d := mock.Start(t, mock.WithLatency(5*time.Millisecond))
//		c, err := client.Dial(ctx, client.WithDialer(d.Dialer()))
//		...
//		if v := d.Violations(); len(v) > 0 {
//			t.Fatalf("the real daemon would have crashed: %v", v)
//		}
//	}
package mock
