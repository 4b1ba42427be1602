package pigeonhole

import (
	"context"
	"fmt"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/wire"
)

// The local calls (docs/protocol.md 9.6.1-3, 9.6.8-9): answered by the daemon
// itself, no mixnet traffic. The encrypt calls do an MKEM encapsulation
// each and take seconds on a real daemon, one after another per
// connection.

// NewKeypair creates the BACAP stream of seed (exactly SeedSize random
// bytes, a secret): its write cap, read cap and first index. The same
// seed gives the same stream, so an application may persist only the
// seed.
func (p *Client) NewKeypair(ctx context.Context, seed []byte) (WriteCap, ReadCap, MessageBoxIndex, error) {
	var (
		w WriteCap
		r ReadCap
		i MessageBoxIndex
	)
	if len(seed) != SeedSize {
		return w, r, i, &LengthError{Type: "seed", Got: len(seed), Want: SeedSize}
	}
	resp, err := p.query(ctx, &wire.Request99{NewKeypair: &wire.NewKeypair{Seed: seed}}, client.QueryOptions{})
	if err != nil {
		return w, r, i, err
	}
	rep := resp.NewKeypairReply
	if err := LocalError(rep.ErrorCode); err != nil {
		return w, r, i, callError("new_keypair", err)
	}
	if err := firstErr(fixed(w[:], rep.WriteCap, "write cap"), fixed(r[:], rep.ReadCap, "read cap"),
		fixed(i[:], rep.FirstMessageIndex, "first index")); err != nil {
		return WriteCap{}, ReadCap{}, MessageBoxIndex{}, callError("new_keypair", err)
	}
	return w, r, i, nil
}

// EncryptWrite prepares the write of plaintext into the box at of the
// stream of w. Nothing is sent: pass the Envelope to Write. plaintext
// holds at most the daemon's MaxPlaintextPayloadLength bytes; an empty,
// non-nil one prepares a tombstone, which deletes the box for good.
func (p *Client) EncryptWrite(ctx context.Context, w *WriteCap, at *MessageBoxIndex, plaintext []byte) (Envelope, error) {
	if w == nil || at == nil {
		return Envelope{}, errNilPointer("write cap or index")
	}
	if err := p.checkPlaintext(plaintext); err != nil {
		return Envelope{}, err
	}
	req := &wire.Request99{EncryptWrite: &wire.EncryptWrite{Plaintext: plaintext, WriteCap: w[:], MessageBoxIndex: at[:]}}
	resp, err := p.query(ctx, req, client.QueryOptions{})
	if err != nil {
		return Envelope{}, err
	}
	rep := resp.EncryptWriteReply
	return envelope("encrypt_write", rep.ErrorCode, rep.MessageCiphertext, rep.EnvelopeDescriptor, rep.EnvelopeHash, rep.NextMessageBoxIndex)
}

// EncryptRead prepares the read of the box at of the stream of r.
// Nothing is sent: pass the Envelope to Read.
func (p *Client) EncryptRead(ctx context.Context, r *ReadCap, at *MessageBoxIndex) (Envelope, error) {
	if r == nil || at == nil {
		return Envelope{}, errNilPointer("read cap or index")
	}
	req := &wire.Request99{EncryptRead: &wire.EncryptRead{ReadCap: r[:], MessageBoxIndex: at[:]}}
	resp, err := p.query(ctx, req, client.QueryOptions{})
	if err != nil {
		return Envelope{}, err
	}
	rep := resp.EncryptReadReply
	return envelope("encrypt_read", rep.ErrorCode, rep.MessageCiphertext, rep.EnvelopeDescriptor, rep.EnvelopeHash, rep.NextMessageBoxIndex)
}

// envelope checks an encrypt_* reply and builds its Envelope.
func envelope(call string, code wire.ErrorCode, ciphertext, descriptor, hash, next []byte) (Envelope, error) {
	if err := LocalError(code); err != nil {
		return Envelope{}, callError(call, err)
	}
	var e Envelope
	if len(ciphertext) == 0 || len(descriptor) == 0 {
		return Envelope{}, callError(call, fmt.Errorf("%w: empty ciphertext or descriptor", ErrMalformedReply))
	}
	if err := firstErr(fixed(e.Hash[:], hash, "envelope hash"), fixed(e.Next[:], next, "next index")); err != nil {
		return Envelope{}, callError(call, err)
	}
	e.Ciphertext, e.Descriptor = ciphertext, descriptor
	return e, nil
}

// NextIndex returns the index after at. Rarely needed: EncryptWrite,
// EncryptRead and the copy-stream builders return it already.
func (p *Client) NextIndex(ctx context.Context, at *MessageBoxIndex) (MessageBoxIndex, error) {
	var next MessageBoxIndex
	if at == nil {
		return next, errNilPointer("index")
	}
	resp, err := p.query(ctx, &wire.Request99{NextMessageBoxIndex: &wire.NextMessageBoxIndex{MessageBoxIndex: at[:]}}, client.QueryOptions{})
	if err != nil {
		return next, err
	}
	rep := resp.NextMessageBoxIndexReply
	if err := LocalError(rep.ErrorCode); err != nil {
		return next, callError("next_message_box_index", err)
	}
	if err := fixed(next[:], rep.NextMessageBoxIndex, "next index"); err != nil {
		return MessageBoxIndex{}, callError("next_message_box_index", err)
	}
	return next, nil
}

// Counter asks the daemon for the counter of at
// (get_message_box_index_counter). MessageBoxIndex.Counter gives the same
// without a round trip; this call is there for completeness and to check
// an index with the daemon.
func (p *Client) Counter(ctx context.Context, at *MessageBoxIndex) (uint64, error) {
	if at == nil {
		return 0, errNilPointer("index")
	}
	resp, err := p.query(ctx, &wire.Request99{GetMessageBoxIndexCounter: &wire.GetMessageBoxIndexCounter{MessageBoxIndex: at[:]}}, client.QueryOptions{})
	if err != nil {
		return 0, err
	}
	rep := resp.GetMessageBoxIndexCounterReply
	if err := LocalError(rep.ErrorCode); err != nil {
		return 0, callError("get_message_box_index_counter", err)
	}
	return rep.Counter, nil
}

// DirectoryAuthorities returns the voting authorities the daemon is
// configured with. A daemon without any answers code 10 (service
// unavailable).
func (p *Client) DirectoryAuthorities(ctx context.Context) ([]wire.DirectoryAuthority, error) {
	resp, err := p.query(ctx, &wire.Request99{GetDirectoryAuthorities: &wire.GetDirectoryAuthorities{}}, client.QueryOptions{})
	if err != nil {
		return nil, err
	}
	rep := resp.GetDirectoryAuthoritiesReply
	if err := LocalError(rep.ErrorCode); err != nil {
		return nil, callError("get_directory_authorities", err)
	}
	return rep.Authorities, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
