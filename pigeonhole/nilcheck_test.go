package pigeonhole_test

import (
	"context"
	"errors"
	"testing"

	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/wire"
)

// A nil *WriteCap, *ReadCap or *MessageBoxIndex is refused with
// ErrInvalidRequest before anything is sent, in every call that takes one.
func TestNilPointersRefused(t *testing.T) {
	c := hostileDaemon(t, func(req *wire.Request99) *wire.Response {
		t.Errorf("%s sent for a nil pointer", req.OperationName())
		return nil
	})
	p := pigeonhole.New(c)
	ctx := testCtx(t)
	var (
		w   pigeonhole.WriteCap
		r   pigeonhole.ReadCap
		at  pigeonhole.MessageBoxIndex
		env = pigeonhole.Envelope{Ciphertext: []byte{1}, Descriptor: []byte{1}}
	)
	calls := map[string]func(context.Context) error{
		"EncryptWrite(nil cap)":   func(ctx context.Context) error { _, err := p.EncryptWrite(ctx, nil, &at, []byte("x")); return err },
		"EncryptWrite(nil index)": func(ctx context.Context) error { _, err := p.EncryptWrite(ctx, &w, nil, []byte("x")); return err },
		"EncryptRead(nil cap)":    func(ctx context.Context) error { _, err := p.EncryptRead(ctx, nil, &at); return err },
		"EncryptRead(nil index)":  func(ctx context.Context) error { _, err := p.EncryptRead(ctx, &r, nil); return err },
		"Write":                   func(ctx context.Context) error { return p.Write(ctx, nil, env) },
		"WriteExclusive":          func(ctx context.Context) error { return p.WriteExclusive(ctx, nil, env) },
		"Read(nil cap)":           func(ctx context.Context) error { _, err := p.Read(ctx, nil, &at, env); return err },
		"Read(nil index)":         func(ctx context.Context) error { _, err := p.Read(ctx, &r, nil, env); return err },
		"TryRead(nil cap)":        func(ctx context.Context) error { _, err := p.TryRead(ctx, nil, &at, env); return err },
		"TryRead(nil index)":      func(ctx context.Context) error { _, err := p.TryRead(ctx, &r, nil, env); return err },
		"NextIndex":               func(ctx context.Context) error { _, err := p.NextIndex(ctx, nil); return err },
		"Counter":                 func(ctx context.Context) error { _, err := p.Counter(ctx, nil); return err },
		"EnvelopesFromPayload(nil cap)": func(ctx context.Context) error {
			_, err := p.EnvelopesFromPayload(ctx, nil, &at, []byte("x"), true, true)
			return err
		},
		"EnvelopesFromPayload(nil index)": func(ctx context.Context) error {
			_, err := p.EnvelopesFromPayload(ctx, &w, nil, []byte("x"), true, true)
			return err
		},
		"EnvelopesFromMultiPayload": func(ctx context.Context) error {
			_, err := p.EnvelopesFromMultiPayload(ctx, []pigeonhole.Destination{{Payload: []byte("x"), Start: &at}}, true, true, nil)
			return err
		},
		"EnvelopesFromTombstoneRange(nil cap)": func(ctx context.Context) error {
			_, err := p.EnvelopesFromTombstoneRange(ctx, nil, &at, 1, true, true, nil)
			return err
		},
		"EnvelopesFromTombstoneRange(nil index)": func(ctx context.Context) error {
			_, err := p.EnvelopesFromTombstoneRange(ctx, &w, nil, 1, true, true, nil)
			return err
		},
		"Copy": func(ctx context.Context) error { return p.Copy(ctx, nil) },
		"CopyVia": func(ctx context.Context) error {
			return p.CopyVia(ctx, nil, pigeonhole.Courier{QueueID: []byte("courier")})
		},
		"VoucherMint": func(ctx context.Context) error { _, err := p.VoucherMint(ctx, nil, "x"); return err },
		"VoucherOpen": func(ctx context.Context) error { _, err := p.VoucherOpen(ctx, []byte{1}, []byte{1}, nil); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			if err := call(ctx); !errors.Is(err, pigeonhole.ErrInvalidRequest) {
				t.Fatalf("err = %v, want ErrInvalidRequest", err)
			}
		})
	}
}
