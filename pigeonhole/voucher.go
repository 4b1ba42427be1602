package pigeonhole

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/wire"
)

// Contact Vouchers (docs/protocol.md 9.6.14, 9.10 c): a joiner hands a member
// a 32-byte voucher out of band; both derive a rendezvous stream from it
// and swap caps there. The calls are pure cryptography in the daemon;
// reading and writing the rendezvous boxes is the caller's.

// VoucherSize is the length of a voucher.
const VoucherSize = 32

// Voucher is what VoucherMint returns to the joiner. SecretKey is a
// secret the joiner keeps until VoucherOpen; the type prints sizes only.
type Voucher struct {
	Voucher   [VoucherSize]byte // hand this to the inductor
	Payload   []byte            // write this into box 0 of the voucher stream
	WriteCap  WriteCap          // the voucher (rendezvous) stream
	ReadCap   ReadCap
	SecretKey []byte // secret
	PublicKey []byte
}

// Induction is what VoucherInduct returns to the inductor.
type Induction struct {
	DisplayName    string
	MutatedReadCap ReadCap // the joiner's live read cap
	SealedReply    []byte  // write this into box 1 of the voucher stream
	WriteCap       WriteCap
	ReadCap        ReadCap
	Salt           [32]byte
}

// Opened is what VoucherOpen returns to the joiner.
type Opened struct {
	WhoReply        []byte
	Salt            [32]byte
	MutatedWriteCap WriteCap // the joiner's live write cap
}

// VoucherMint mints a voucher for the stream of w, under displayName.
func (p *Client) VoucherMint(ctx context.Context, w *WriteCap, displayName string) (*Voucher, error) {
	if w == nil {
		return nil, errNilPointer("write cap")
	}
	resp, err := p.query(ctx, &wire.Request99{VoucherMint: &wire.VoucherMint{MessageWriteCap: w[:], DisplayName: displayName}}, client.QueryOptions{})
	if err != nil {
		return nil, err
	}
	rep := resp.VoucherMintReply
	if err := LocalError(rep.ErrorCode); err != nil {
		return nil, callError("voucher_mint", err)
	}
	v := &Voucher{Payload: rep.VoucherPayload, SecretKey: rep.VoucherSecretKey, PublicKey: rep.VoucherPublicKey}
	if err := firstErr(fixed(v.Voucher[:], rep.Voucher, "voucher"), fixed(v.WriteCap[:], rep.VoucherWriteCap, "voucher write cap"),
		fixed(v.ReadCap[:], rep.VoucherReadCap, "voucher read cap")); err != nil {
		return nil, callError("voucher_mint", err)
	}
	if len(v.Payload) == 0 || len(v.SecretKey) == 0 {
		return nil, callError("voucher_mint", fmt.Errorf("%w: no payload or secret key", ErrMalformedReply))
	}
	return v, nil
}

// VoucherDeriveStream derives the voucher stream of voucher: the same
// caps the joiner got from VoucherMint.
func (p *Client) VoucherDeriveStream(ctx context.Context, voucher [VoucherSize]byte) (WriteCap, ReadCap, error) {
	var (
		w WriteCap
		r ReadCap
	)
	resp, err := p.query(ctx, &wire.Request99{VoucherDeriveStream: &wire.VoucherDeriveStream{Voucher: voucher[:]}}, client.QueryOptions{})
	if err != nil {
		return w, r, err
	}
	rep := resp.VoucherDeriveStreamReply
	if err := LocalError(rep.ErrorCode); err != nil {
		return w, r, callError("voucher_derive_stream", err)
	}
	if err := firstErr(fixed(w[:], rep.VoucherWriteCap, "voucher write cap"), fixed(r[:], rep.VoucherReadCap, "voucher read cap")); err != nil {
		return WriteCap{}, ReadCap{}, callError("voucher_derive_stream", err)
	}
	return w, r, nil
}

// VoucherInduct admits the joiner whose voucher payload was read from
// box 0 of the voucher stream; whoReply is the inductor's opaque answer.
func (p *Client) VoucherInduct(ctx context.Context, voucher [VoucherSize]byte, payload, whoReply []byte) (*Induction, error) {
	if whoReply == nil {
		whoReply = []byte{}
	}
	resp, err := p.query(ctx, &wire.Request99{VoucherInduct: &wire.VoucherInduct{Voucher: voucher[:], VoucherPayload: payload, WhoReply: whoReply}}, client.QueryOptions{})
	if err != nil {
		return nil, err
	}
	rep := resp.VoucherInductReply
	if err := LocalError(rep.ErrorCode); err != nil {
		return nil, callError("voucher_induct", err)
	}
	in := &Induction{DisplayName: rep.DisplayName, SealedReply: rep.SealedReply}
	if err := firstErr(fixed(in.MutatedReadCap[:], rep.MutatedMessageReadCap, "mutated read cap"),
		fixed(in.WriteCap[:], rep.VoucherWriteCap, "voucher write cap"), fixed(in.ReadCap[:], rep.VoucherReadCap, "voucher read cap"),
		fixed(in.Salt[:], rep.Salt, "salt")); err != nil {
		return nil, callError("voucher_induct", err)
	}
	return in, nil
}

// VoucherOpen opens the inductor's sealed reply (read from box 1 of the
// voucher stream) with the joiner's secret key and message write cap.
func (p *Client) VoucherOpen(ctx context.Context, secretKey, sealedReply []byte, w *WriteCap) (*Opened, error) {
	if w == nil {
		return nil, errNilPointer("write cap")
	}
	resp, err := p.query(ctx, &wire.Request99{VoucherOpen: &wire.VoucherOpen{VoucherSecretKey: secretKey, SealedReply: sealedReply, MessageWriteCap: w[:]}}, client.QueryOptions{})
	if err != nil {
		return nil, err
	}
	rep := resp.VoucherOpenReply
	if err := LocalError(rep.ErrorCode); err != nil {
		return nil, callError("voucher_open", err)
	}
	o := &Opened{WhoReply: rep.WhoReply}
	if err := firstErr(fixed(o.Salt[:], rep.Salt, "salt"), fixed(o.MutatedWriteCap[:], rep.MutatedMessageWriteCap, "mutated write cap")); err != nil {
		return nil, callError("voucher_open", err)
	}
	return o, nil
}

// String describes v without its secrets.
func (v Voucher) String() string {
	return fmt.Sprintf("pigeonhole.Voucher(payload %d B, caps and keys redacted)", len(v.Payload))
}

// Format writes String for every verb.
func (v Voucher) Format(f fmt.State, _ rune) { io.WriteString(f, v.String()) }

// LogValue logs the redacted form.
func (v Voucher) LogValue() slog.Value { return slog.StringValue(v.String()) }

// String describes in without its caps.
func (in Induction) String() string {
	return fmt.Sprintf("pigeonhole.Induction(sealed reply %d B, caps redacted)", len(in.SealedReply))
}

// Format writes String for every verb.
func (in Induction) Format(f fmt.State, _ rune) { io.WriteString(f, in.String()) }

// LogValue logs the redacted form.
func (in Induction) LogValue() slog.Value { return slog.StringValue(in.String()) }

// String describes o without its cap.
func (o Opened) String() string {
	return fmt.Sprintf("pigeonhole.Opened(who reply %d B, cap redacted)", len(o.WhoReply))
}

// Format writes String for every verb.
func (o Opened) Format(f fmt.State, _ rune) { io.WriteString(f, o.String()) }

// LogValue logs the redacted form.
func (o Opened) LogValue() slog.Value { return slog.StringValue(o.String()) }
