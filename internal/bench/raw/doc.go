// Package raw is the physical limit the performance harness measures the
// SDK against: the least code a SURB round trip from a caller to the
// socket and back can be, with nothing decoded.
//
// Canned is a daemon that greets with the captured v0.0.47 handshake
// frames and answers every SURB send with the captured sent event and
// reply, the request's SURB ID copied into them at fixed offsets. Client
// patches the captured request template (SURB ID, payload), writes it,
// and hands every reply to its caller by the SURB ID at a fixed offset.
// Both work on the bytes of testdata/daemon-v0.0.47 only (Load): no CBOR
// is encoded or decoded, and the package imports only the standard
// library.
//
// Neither side is a faithful daemon or client: they exist so that the
// harness can say how close the SDK, against the same Canned daemon,
// comes to what the socket and the Go runtime allow.
package raw
