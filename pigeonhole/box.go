package pigeonhole

import (
	"context"
	"fmt"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/wire"
)

// The box operations (start_resending_encrypted_message, docs/protocol.md
// 9.6.4-5): the daemon sends the envelope to a courier and retransmits
// until the courier gives a final answer, without limit. Each call holds
// one of the client's MaxStartsInFlight slots while it is outstanding;
// further calls wait for a slot within their context. When ctx ends
// after the request was written, the client sends
// cancel_resending_encrypted_message with the envelope's hash (also while
// the daemon reports itself offline, after the next handshake if the
// connection is down) and the call returns ctx's error; the late reply
// is absorbed. A cancelled write may or may not have reached the
// replicas.
//
// Two flags of the request have their own methods: TryRead (no retry on
// an empty box) and WriteExclusive (report a box already written with
// other content).

// Write writes the box that env was prepared for (EncryptWrite) into the
// stream of w, and returns when the courier has acknowledged it. Writing
// a box that already holds other content succeeds without changing it:
// use WriteExclusive to be told.
func (p *Client) Write(ctx context.Context, w *WriteCap, env Envelope) error {
	return p.write(ctx, w, env, false)
}

// WriteExclusive is Write that fails with ErrBoxAlreadyExists when the
// box already holds other content (the no_idempotent_box_already_exists
// flag). Rewriting the same content succeeds. It takes an extra courier
// round trip.
func (p *Client) WriteExclusive(ctx context.Context, w *WriteCap, env Envelope) error {
	return p.write(ctx, w, env, true)
}

func (p *Client) write(ctx context.Context, w *WriteCap, env Envelope, exclusive bool) error {
	if w == nil {
		return errNilPointer("write cap")
	}
	if err := checkEnvelope(env); err != nil {
		return err
	}
	_, err := p.start(ctx, &wire.StartResendingEncryptedMessage{
		WriteCap:                     w[:],
		ReplyIndex:                   new(uint8),
		EnvelopeDescriptor:           env.Descriptor,
		MessageCiphertext:            env.Ciphertext,
		EnvelopeHash:                 env.Hash[:],
		NoIdempotentBoxAlreadyExists: exclusive,
	}, env.Hash)
	return err
}

// Read reads the box at of the stream of r, with env prepared for it by
// EncryptRead, and returns its plaintext. A box nobody has written yet
// is waited for, for as long as ctx allows; a tombstone fails with
// ErrTombstone. While it waits, Read refreshes its envelope on the
// schedule of WithReadRefresh (each refresh: encrypt_read again, cancel
// the old envelope, start the new one once the old has ended), because a
// courier stops asking the replicas about one envelope after a few
// retransmissions; an answer to the old envelope that arrives during a
// refresh is returned, not lost.
func (p *Client) Read(ctx context.Context, r *ReadCap, at *MessageBoxIndex, env Envelope) ([]byte, error) {
	return p.read(ctx, r, at, env, false)
}

// TryRead is Read that fails with ErrBoxNotFound instead of waiting when
// nothing is written in the box yet (the no_retry_on_box_id_not_found
// flag).
func (p *Client) TryRead(ctx context.Context, r *ReadCap, at *MessageBoxIndex, env Envelope) ([]byte, error) {
	return p.read(ctx, r, at, env, true)
}

func (p *Client) read(ctx context.Context, r *ReadCap, at *MessageBoxIndex, env Envelope, noRetry bool) ([]byte, error) {
	if r == nil || at == nil {
		return nil, errNilPointer("read cap or index")
	}
	if err := checkEnvelope(env); err != nil {
		return nil, err
	}
	var rep *wire.StartResendingEncryptedMessageReply
	var err error
	if noRetry || p.o.refreshFirst <= 0 {
		rep, err = p.start(ctx, readRequest(r, at, env, noRetry), env.Hash)
	} else {
		rep, err = p.waitingRead(ctx, r, at, env)
	}
	if err != nil {
		return nil, err
	}
	if rep.Plaintext == nil {
		// An empty box reads as an empty plaintext, never nil.
		return []byte{}, nil
	}
	return rep.Plaintext, nil
}

// CancelEnvelope cancels the box operation of the envelope whose Hash is
// hash, wherever it was started: this process, an earlier run of it
// (after a crash, with a persisted hash), or another application. The
// cancelled call, if it is still waiting, fails with ErrCancelled. It
// succeeds too when nothing runs under hash. Read and Write send the
// cancel themselves when their context ends.
func (p *Client) CancelEnvelope(ctx context.Context, hash [32]byte) error {
	req := &wire.Request99{CancelResendingEncryptedMessage: &wire.CancelResendingEncryptedMessage{EnvelopeHash: hash[:]}}
	resp, err := p.query(ctx, req, client.QueryOptions{})
	if err != nil {
		return err
	}
	return callError("cancel_resending_encrypted_message", LocalError(resp.CancelResendingEncryptedMessageReply.ErrorCode))
}

// start sends a start_resending_encrypted_message and maps its outcome.
// The request carries reply_index 0, as Katzenpost's own client writes it
// (the daemon ignores it), so that the frames match the captured ones.
func (p *Client) start(ctx context.Context, m *wire.StartResendingEncryptedMessage, hash [32]byte) (*wire.StartResendingEncryptedMessageReply, error) {
	cancel := &wire.Request99{CancelResendingEncryptedMessage: &wire.CancelResendingEncryptedMessage{EnvelopeHash: hash[:]}}
	resp, err := p.query(ctx, &wire.Request99{StartResendingEncryptedMessage: m}, client.QueryOptions{Start: true, Cancel: cancel})
	if err != nil {
		return nil, err
	}
	rep := resp.StartResendingEncryptedMessageReply
	if err := MessageError(rep.ErrorCode); err != nil {
		return nil, callError(opName(m), err)
	}
	return rep, nil
}

// readRequest is the start_resending_encrypted_message of a read.
func readRequest(r *ReadCap, at *MessageBoxIndex, env Envelope, noRetry bool) *wire.StartResendingEncryptedMessage {
	return &wire.StartResendingEncryptedMessage{
		ReadCap:                r[:],
		MessageBoxIndex:        at[:],
		ReplyIndex:             new(uint8),
		EnvelopeDescriptor:     env.Descriptor,
		MessageCiphertext:      env.Ciphertext,
		EnvelopeHash:           env.Hash[:],
		NoRetryOnBoxIDNotFound: noRetry,
	}
}

func opName(m *wire.StartResendingEncryptedMessage) string {
	if m.ReadCap != nil {
		return "read"
	}
	return "write"
}

// checkEnvelope refuses an envelope the daemon would refuse (code 3).
func checkEnvelope(env Envelope) error {
	if len(env.Ciphertext) == 0 || len(env.Descriptor) == 0 {
		return fmt.Errorf("%w: envelope without ciphertext or descriptor (make it with EncryptWrite or EncryptRead)", ErrInvalidRequest)
	}
	return nil
}
