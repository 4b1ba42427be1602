package pigeonhole_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/wire"
)

// Values the daemon would refuse (or close the connection for) are
// refused before anything is written: the mock sees no request.
func TestRefusedBeforeSending(t *testing.T) {
	d := startMock(t)
	p, c := dial(t, d)
	ctx := testCtx(t)
	g := c.Daemon().PigeonholeGeometry
	if g == nil || g.MaxPlaintextPayloadLength == 0 {
		t.Fatal("no Pigeonhole geometry from the mock's status event")
	}
	before := d.Stats().Requests
	var w pigeonhole.WriteCap
	var at pigeonhole.MessageBoxIndex
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"31-byte seed", second(p.NewKeypair(ctx, make([]byte, 31))), pigeonhole.ErrInvalidLength},
		{"33-byte seed", second(p.NewKeypair(ctx, make([]byte, 33))), pigeonhole.ErrInvalidLength},
		{"nil plaintext", errOf(p.EncryptWrite(ctx, &w, &at, nil)), pigeonhole.ErrInvalidRequest},
		{"plaintext over the geometry", errOf(p.EncryptWrite(ctx, &w, &at, make([]byte, g.MaxPlaintextPayloadLength+1))), pigeonhole.ErrInvalidLength},
		{"payload over 10 MiB", errOf(p.EnvelopesFromPayload(ctx, &w, &at, make([]byte, pigeonhole.MaxPayload+1), true, true)), pigeonhole.ErrInvalidLength},
		{"no destinations", errOf(p.EnvelopesFromMultiPayload(ctx, nil, true, true, nil)), pigeonhole.ErrInvalidRequest},
		{"empty envelope write", p.Write(ctx, &w, pigeonhole.Envelope{}), pigeonhole.ErrInvalidRequest},
		{"empty envelope read", errOf(p.Read(ctx, new(pigeonhole.ReadCap), &at, pigeonhole.Envelope{})), pigeonhole.ErrInvalidRequest},
		{"courier without queue", p.CopyVia(ctx, &w, pigeonhole.Courier{}), pigeonhole.ErrInvalidRequest},
		{"empty stream message", p.NewWriter(w).Write(ctx, nil), pigeonhole.ErrInvalidRequest},
		{"large payload over the limit", p.NewWriter(w).WriteLarge(ctx, make([]byte, pigeonhole.MaxLargePayload+1)), pigeonhole.ErrInvalidLength},
	}
	for _, tc := range cases {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	if n := d.Stats().Requests - before; n != 0 {
		t.Fatalf("the daemon saw %d requests", n)
	}
}

// On a v0.0.47 daemon every call fails with client.ErrUnsupported and
// nothing reaches the daemon (it would crash on a Pigeonhole request).
func TestUnsupportedOnV47(t *testing.T) {
	d := mock.Start(t, mock.WithGeneration(wire.Generation47))
	p, c := dial(t, d)
	if c.Daemon().Generation != wire.Generation47 || c.Daemon().PigeonholeGeometry != nil {
		t.Fatalf("daemon info %+v", c.Daemon())
	}
	ctx := testCtx(t)
	var w pigeonhole.WriteCap
	r := w.ReadCap()
	at := w.FirstIndex()
	env := pigeonhole.Envelope{Ciphertext: []byte{1}, Descriptor: []byte{2}}
	calls := map[string]error{
		"NewKeypair":     second(p.NewKeypair(ctx, make([]byte, 32))),
		"EncryptWrite":   errOf(p.EncryptWrite(ctx, &w, &at, []byte("x"))),
		"EncryptRead":    errOf(p.EncryptRead(ctx, &r, &at)),
		"Write":          p.Write(ctx, &w, env),
		"WriteExclusive": p.WriteExclusive(ctx, &w, env),
		"Read":           errOf(p.Read(ctx, &r, &at, env)),
		"TryRead":        errOf(p.TryRead(ctx, &r, &at, env)),
		"NextIndex":      errOf(p.NextIndex(ctx, &at)),
		"Counter":        errOf(p.Counter(ctx, &at)),
		"Authorities":    errOf(p.DirectoryAuthorities(ctx)),
		"FromPayload":    errOf(p.EnvelopesFromPayload(ctx, &w, &at, []byte("x"), true, true)),
		"FromMulti":      errOf(p.EnvelopesFromMultiPayload(ctx, []pigeonhole.Destination{{Payload: []byte("x"), WriteCap: &w, Start: &at}}, true, true, nil)),
		"Tombstones":     errOf(p.EnvelopesFromTombstoneRange(ctx, &w, &at, 2, true, true, nil)),
		"Copy":           p.Copy(ctx, &w),
		"CancelEnvelope": p.CancelEnvelope(ctx, [32]byte{}),
		"CancelCopy":     p.CancelCopy(ctx, w.Hash()),
		"VoucherMint":    errOf(p.VoucherMint(ctx, &w, "x")),
		"VoucherDerive":  third(p.VoucherDeriveStream(ctx, [32]byte{})),
		"VoucherInduct":  errOf(p.VoucherInduct(ctx, [32]byte{}, []byte("p"), nil)),
		"VoucherOpen":    errOf(p.VoucherOpen(ctx, []byte("k"), []byte("s"), &w)),
		"Writer.Write":   p.NewWriter(w).Write(ctx, []byte("x")),
		"Reader.Read":    errOf(p.NewReader(r).Read(ctx)),
	}
	for name, err := range calls {
		if !errors.Is(err, client.ErrUnsupported) || !strings.Contains(err.Error(), "needs kpclientd v0.0.99") {
			t.Errorf("%s: %v, want ErrUnsupported saying it needs v0.0.99", name, err)
		}
	}
	if v := d.Violations(); len(v) > 0 {
		t.Fatalf("requests that crash a v0.0.47 daemon: %v", v)
	}
}

func errOf[T any](_ T, err error) error { return err }

func second[A, B, C any](_ A, _ B, _ C, err error) error { return err }

func third[A, B any](_ A, _ B, err error) error { return err }
