package pigeonhole_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// hostileDaemon greets with the captured handshake and answers each
// request with what answer returns (nil: no answer), the request's query
// ID put in.
func hostileDaemon(t *testing.T, answer func(*wire.Request99) *wire.Response) *client.Client {
	t.Helper()
	return scriptedDaemon(t, func(req *wire.Request99) []*wire.Response {
		resp := answer(req)
		if resp == nil {
			return nil
		}
		setReplyQID(resp, *req.QueryID())
		return []*wire.Response{resp}
	})
}

// scriptedDaemon greets with the captured handshake and answers each
// request with the frames answer returns, in order, as they are (their
// query IDs set by answer).
func scriptedDaemon(t *testing.T, answer func(*wire.Request99) []*wire.Response) *client.Client {
	t.Helper()
	frames := loadConn(t, filepath.Join(phCaptures, "a-write-read", "conn01"))
	var b [8]byte
	rand.Read(b[:])
	addr := "@katzenthin-hostile-" + hex.EncodeToString(b[:])
	l, err := net.Listen("unix", addr)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := wire.NewReader(bufio.NewReader(conn), 0)
		conn.Write(wire.AppendFrame(nil, frames[0].body))
		conn.Write(wire.AppendFrame(nil, frames[1].body))
		for {
			body, err := r.ReadFrame()
			if err != nil {
				return
			}
			var req wire.Request99
			if err := wire.DecodeRequest99(body, &req); err != nil {
				t.Errorf("request: %v", err)
				return
			}
			if req.SessionToken != nil {
				conn.Write(wire.AppendFrame(nil, frames[3].body))
				continue
			}
			if req.ThinClose != nil {
				return
			}
			for _, resp := range answer(&req) {
				conn.Write(resp.AppendFrame(nil, wire.Generation99))
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.WithDialer(transport.Unix(addr)), client.WithReconnect(client.NoReconnect))
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() {
		c.Close()
		l.Close()
		wg.Wait()
	})
	return c
}

// setReplyQID sets the query ID of whichever reply resp carries.
func setReplyQID(resp *wire.Response, q wire.QueryID) {
	switch {
	case resp.NewKeypairReply != nil:
		resp.NewKeypairReply.QueryID = &q
	case resp.EncryptWriteReply != nil:
		resp.EncryptWriteReply.QueryID = &q
	case resp.EncryptReadReply != nil:
		resp.EncryptReadReply.QueryID = &q
	case resp.StartResendingEncryptedMessageReply != nil:
		resp.StartResendingEncryptedMessageReply.QueryID = &q
	case resp.StartResendingCopyCommandReply != nil:
		resp.StartResendingCopyCommandReply.QueryID = &q
	case resp.CreateCourierEnvelopesFromMultiPayloadReply != nil:
		resp.CreateCourierEnvelopesFromMultiPayloadReply.QueryID = &q
	case resp.VoucherInductReply != nil:
		resp.VoucherInductReply.QueryID = &q
	case resp.NextMessageBoxIndexReply != nil:
		resp.NextMessageBoxIndexReply.QueryID = &q
	}
}

// Odd and hostile replies end the call with an error, never a panic or a
// value built from wrong-sized fields.
func TestHostileReplies(t *testing.T) {
	var w pigeonhole.WriteCap
	var r pigeonhole.ReadCap
	var at pigeonhole.MessageBoxIndex
	env := pigeonhole.Envelope{Ciphertext: []byte{1}, Descriptor: []byte{2}}
	seed := make([]byte, pigeonhole.SeedSize)
	tests := []struct {
		name   string
		answer *wire.Response
		call   func(ctx context.Context, p *pigeonhole.Client) error
		want   func(error) bool
	}{
		{"keypair with null caps", &wire.Response{NewKeypairReply: &wire.NewKeypairReply{}},
			func(ctx context.Context, p *pigeonhole.Client) error {
				_, _, _, err := p.NewKeypair(ctx, seed)
				return err
			},
			isErr(pigeonhole.ErrMalformedReply)},
		{"keypair with a short write cap", &wire.Response{NewKeypairReply: &wire.NewKeypairReply{
			WriteCap: make([]byte, 10), ReadCap: make([]byte, 136), FirstMessageIndex: make([]byte, 104)}},
			func(ctx context.Context, p *pigeonhole.Client) error {
				_, _, _, err := p.NewKeypair(ctx, seed)
				return err
			},
			isErr(pigeonhole.ErrMalformedReply)},
		{"keypair error 3", &wire.Response{NewKeypairReply: &wire.NewKeypairReply{ErrorCode: 3}},
			func(ctx context.Context, p *pigeonhole.Client) error {
				_, _, _, err := p.NewKeypair(ctx, seed)
				return err
			},
			isErr(pigeonhole.ErrInvalidRequest)},
		{"encrypt_write with a long hash", &wire.Response{EncryptWriteReply: &wire.EncryptWriteReply{
			MessageCiphertext: []byte{1}, EnvelopeDescriptor: []byte{2}, EnvelopeHash: make([]byte, 33), NextMessageBoxIndex: make([]byte, 104)}},
			func(ctx context.Context, p *pigeonhole.Client) error {
				_, err := p.EncryptWrite(ctx, &w, &at, []byte("x"))
				return err
			},
			isErr(pigeonhole.ErrMalformedReply)},
		{"encrypt_read without ciphertext", &wire.Response{EncryptReadReply: &wire.EncryptReadReply{
			EnvelopeHash: make([]byte, 32), NextMessageBoxIndex: make([]byte, 104)}},
			func(ctx context.Context, p *pigeonhole.Client) error {
				_, err := p.EncryptRead(ctx, &r, &at)
				return err
			},
			isErr(pigeonhole.ErrMalformedReply)},
		{"start with an unknown code", &wire.Response{StartResendingEncryptedMessageReply: &wire.StartResendingEncryptedMessageReply{ErrorCode: 200}},
			func(ctx context.Context, p *pigeonhole.Client) error { return p.Write(ctx, &w, env) },
			isCode(200, pigeonhole.NamespaceThinClient)},
		{"start with a courier code", &wire.Response{StartResendingEncryptedMessageReply: &wire.StartResendingEncryptedMessageReply{ErrorCode: 32}},
			func(ctx context.Context, p *pigeonhole.Client) error { return p.Write(ctx, &w, env) },
			isCode(32, pigeonhole.NamespaceCourier)},
		{"read with null plaintext", &wire.Response{StartResendingEncryptedMessageReply: &wire.StartResendingEncryptedMessageReply{}},
			func(ctx context.Context, p *pigeonhole.Client) error {
				msg, err := p.Read(ctx, &r, &at, env)
				if err == nil && (msg == nil || len(msg) != 0) {
					return errors.New("want an empty, non-nil plaintext")
				}
				return err
			},
			func(err error) bool { return err == nil }},
		{"tombstone read", &wire.Response{StartResendingEncryptedMessageReply: &wire.StartResendingEncryptedMessageReply{ErrorCode: 11}},
			func(ctx context.Context, p *pigeonhole.Client) error { _, err := p.Read(ctx, &r, &at, env); return err },
			isErr(pigeonhole.ErrTombstone)},
		{"failed copy", &wire.Response{StartResendingCopyCommandReply: &wire.StartResendingCopyCommandReply{ErrorCode: 26, ReplicaErrorCode: 6, FailedEnvelopeIndex: 3}},
			func(ctx context.Context, p *pigeonhole.Client) error { return p.Copy(ctx, &w) },
			func(err error) bool {
				var pe *pigeonhole.Error
				return errors.Is(err, pigeonhole.ErrCopyFailed) && errors.As(err, &pe) && pe.ReplicaCode == 6 && pe.FailedEnvelope == 3
			}},
		{"multi-payload with too few next indices", &wire.Response{CreateCourierEnvelopesFromMultiPayloadReply: &wire.CreateCourierEnvelopesFromMultiPayloadReply{
			NextDestIndices: [][]byte{make([]byte, 104)}}},
			func(ctx context.Context, p *pigeonhole.Client) error {
				d := pigeonhole.Destination{Payload: []byte("x"), WriteCap: &w, Start: &at}
				_, err := p.EnvelopesFromMultiPayload(ctx, []pigeonhole.Destination{d, d}, true, true, nil)
				return err
			},
			isErr(pigeonhole.ErrMalformedReply)},
		{"voucher_induct with null caps", &wire.Response{VoucherInductReply: &wire.VoucherInductReply{}},
			func(ctx context.Context, p *pigeonhole.Client) error {
				_, err := p.VoucherInduct(ctx, [32]byte{}, []byte("p"), nil)
				return err
			},
			isErr(pigeonhole.ErrMalformedReply)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := hostileDaemon(t, func(*wire.Request99) *wire.Response {
				resp := *tc.answer // the same test may be run again
				return &resp
			})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := tc.call(ctx, pigeonhole.New(c)); !tc.want(err) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

// A reply of another type under the call's query ID is dropped and
// counted; the call goes on waiting, within its context.
func TestHostileWrongReplyType(t *testing.T) {
	c := hostileDaemon(t, func(*wire.Request99) *wire.Response {
		return &wire.Response{NextMessageBoxIndexReply: &wire.NextMessageBoxIndexReply{NextMessageBoxIndex: make([]byte, 104)}}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, _, _, err := pigeonhole.New(c).NewKeypair(ctx, make([]byte, 32)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("NewKeypair: %v, want its deadline", err)
	}
	if st := c.Stats(); st.WrongReplies != 1 {
		t.Fatalf("stats %+v: want the wrong reply counted", st)
	}
}

func isErr(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func isCode(code uint8, ns pigeonhole.Namespace) func(error) bool {
	return func(err error) bool {
		var pe *pigeonhole.Error
		return errors.As(err, &pe) && pe.Code == code && pe.Namespace == ns
	}
}
