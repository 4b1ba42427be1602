// Package wire is the Katzenpost thin-client wire protocol: the frame codec
// and the exact request and response messages that the client daemon
// (kpclientd) and its thin clients exchange over a local stream socket.
//
// A frame is a 4-byte big-endian length followed by one CBOR map. Two
// generations of the daemon speak over that framing:
//
//   - [Generation47], kpclientd v0.0.47: flat [Request] maps with operation
//     flags, responses with 6 keys (the shutdown key misspelt
//     "shudown_event"), errors encoded as empty maps.
//   - [Generation99], kpclientd v0.0.99: [Request99] maps with one non-null
//     operation (send_message, session_token, get_pki_document,
//     thin_close, and the Pigeonhole storage operations of docs/protocol.md 9),
//     responses with 25 keys, numeric error codes, a session token
//     handshake and geometry in the status event.
//
// Query requests (get_pki_document and every Pigeonhole request) carry a
// query ID that their reply echoes: [Request99.QueryID] and
// [Request99.ExpectedReply] on one side and [Response.QueryReply] on the
// other let a client match replies by ID and [ReplyKind].
//
// One codec serves both directions: a client encodes requests and decodes
// responses, a daemon (such as package mock) decodes requests and encodes
// responses. [DecodeResponse] reads either generation; the encoders are per
// generation and write byte for byte what the real daemon and its Go thin
// client write. Tell the generation from the first frame with
// [DetectGeneration].
//
// The messages are tagged structs that fxamacker/cbor encodes as the
// daemon's own Go types do (docs/protocol.md 9.2): fields in declaration
// order, nil as null, omitempty where the daemon has it. Only a send is
// encoded by hand, being every client's hot path, and only the sent and
// reply events are decoded by hand ([Decoder]). Decoding uses a mode with
// limits, so hostile input is an error, never a panic or an unbounded
// allocation.
//
//	r := wire.NewReader(conn, 0)
//	body, err := r.ReadFrame()
//	if err != nil { ... }
//	var resp wire.Response
//	if err := wire.DecodeResponse(body, &resp); err != nil { ... }
package wire
