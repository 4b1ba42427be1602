package wire_test

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/wire"
)

// phFrame is one captured Pigeonhole-flow frame.
type phFrame struct {
	path string // relative to the pigeonhole folder
	c2d  bool
	body []byte
}

// pigeonholeConns returns the captured frames of every connection of the
// Pigeonhole flows, in order, keyed by "flow/connNN".
func pigeonholeConns(t testing.TB) map[string][]phFrame {
	t.Helper()
	root := filepath.Join("..", "testdata", "daemon-v0.0.99", "pigeonhole")
	paths, err := filepath.Glob(filepath.Join(root, "*", "conn*", "*.cbor"))
	if err != nil || len(paths) < 200 {
		t.Fatalf("captured Pigeonhole frames: %d, %v", len(paths), err)
	}
	sort.Strings(paths)
	out := make(map[string][]phFrame)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, p)
		conn := filepath.Dir(rel)
		out[conn] = append(out[conn], phFrame{path: rel, c2d: strings.Contains(filepath.Base(p), "-c2d-"), body: b})
	}
	return out
}

// variant is the frame's one non-null key, from its file name.
func (f phFrame) variant() string {
	base := strings.TrimSuffix(filepath.Base(f.path), ".cbor")
	for _, dir := range []string{"-c2d-", "-d2c-"} {
		if i := strings.Index(base, dir); i >= 0 {
			return base[i+len(dir):]
		}
	}
	return ""
}

// TestPigeonholeCapturesRoundTrip is the golden test of the encoders:
// every captured Pigeonhole frame, the deliberately malformed request of
// flow (g) included (caps are raw bytes here), decodes and re-encodes
// byte for byte, which pins each type's field order and omitempty tags.
func TestPigeonholeCapturesRoundTrip(t *testing.T) {
	for conn, frames := range pigeonholeConns(t) {
		for _, f := range frames {
			if f.c2d {
				var r wire.Request99
				if err := wire.DecodeRequest99(f.body, &r); err != nil {
					t.Fatalf("%s: %v", f.path, err)
				}
				if r.Ops() != 1 {
					t.Errorf("%s: %d operations", f.path, r.Ops())
				}
				if !bytes.Equal(r.Marshal(), f.body) {
					t.Errorf("%s: re-encoded request differs\n got %x\nwant %x", f.path, r.Marshal(), f.body)
				}
				continue
			}
			var r wire.Response
			if err := wire.DecodeResponse(f.body, &r); err != nil {
				t.Fatalf("%s: %v", f.path, err)
			}
			if _, err := r.Event(); err != nil {
				t.Errorf("%s: Event: %v", f.path, err)
			}
			if !bytes.Equal(r.Marshal(wire.Generation99), f.body) {
				t.Errorf("%s: re-encoded response differs", f.path)
			}
			var d wire.Decoder
			fast, err := d.Decode(f.body)
			if err != nil || !bytes.Equal(fast.Marshal(wire.Generation99), f.body) {
				t.Errorf("%s: Decoder disagrees: %v", f.path, err)
			}
			kind, _ := r.QueryReply()
			if want := f.variant(); strings.HasSuffix(want, "_reply") && want != "session_token_reply" && kind.String() != want {
				t.Errorf("%s: QueryReply kind %v", f.path, kind)
			}
		}
		_ = conn
	}
}

// TestPigeonholeCapturesRouting: every captured query request is answered
// by a reply of the kind ExpectedReply names under its query ID, and
// every query reply answers a request of the connection.
func TestPigeonholeCapturesRouting(t *testing.T) {
	for conn, frames := range pigeonholeConns(t) {
		pending := map[wire.QueryID]wire.ReplyKind{}
		for _, f := range frames {
			if f.c2d {
				var r wire.Request99
				if err := wire.DecodeRequest99(f.body, &r); err != nil {
					t.Fatal(err)
				}
				q := r.QueryID()
				switch f.variant() {
				case "session_token", "thin_close":
					if q != nil || r.ExpectedReply() != wire.ReplyNone {
						t.Errorf("%s: query ID %v, reply %v", f.path, q, r.ExpectedReply())
					}
					continue
				}
				if q == nil || r.ExpectedReply().String() != f.variant()+"_reply" {
					t.Fatalf("%s: query ID %v, expected reply %v", f.path, q, r.ExpectedReply())
				}
				pending[*q] = r.ExpectedReply()
				continue
			}
			var r wire.Response
			if err := wire.DecodeResponse(f.body, &r); err != nil {
				t.Fatal(err)
			}
			kind, q := r.QueryReply()
			if kind == wire.ReplyNone {
				if _, ok := r.ErrorCode(); ok || q != nil {
					t.Errorf("%s: an event with a query ID or error code", f.path)
				}
				continue
			}
			want, ok := pending[*q]
			if !ok || want != kind {
				t.Errorf("%s: reply %v for query %v, pending %v", f.path, kind, q, want)
			}
			// A start's reply may come before the cancel's (9.6.5); each
			// query gets one reply.
			delete(pending, *q)
		}
		for q, k := range pending {
			if !strings.HasPrefix(conn, "b-") && !strings.HasPrefix(conn, "g-") {
				t.Errorf("%s: no %v for %v", conn, k, q)
			}
		}
	}
}

func TestSetQueryID(t *testing.T) {
	q := wire.NewQueryID()
	r := wire.Request99{EncryptRead: &wire.EncryptRead{ReadCap: []byte{1}}}
	if !r.SetQueryID(q) || *r.QueryID() != q || *r.EncryptRead.QueryID != q {
		t.Fatal("SetQueryID on encrypt_read")
	}
	for _, r := range []wire.Request99{{}, {ThinClose: &wire.ThinClose{}}, {SendMessage: &wire.SendMessage{}}} {
		if r.SetQueryID(q) || r.QueryID() != nil || r.ExpectedReply() != wire.ReplyNone {
			t.Errorf("%+v took a query ID", r)
		}
	}
	g := wire.Request99{GetPKIDocument: &wire.GetPKIDocument{}}
	if !g.SetQueryID(q) || g.ExpectedReply() != wire.ReplyGetPKIDocument {
		t.Error("get_pki_document")
	}
}

// loadReply decodes the captured d2c frame at rel.
func loadReply(t *testing.T, rel string) *wire.Response {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "daemon-v0.0.99", "pigeonhole", rel))
	if err != nil {
		t.Fatal(err)
	}
	return decodeResponse(t, b)
}

func loadRequest(t *testing.T, rel string) *wire.Request99 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "daemon-v0.0.99", "pigeonhole", rel))
	if err != nil {
		t.Fatal(err)
	}
	var r wire.Request99
	if err := wire.DecodeRequest99(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// TestPigeonholeRepliesFields checks the fields of every kind of captured
// reply against what the flows' README.txt files say.
func TestPigeonholeRepliesFields(t *testing.T) {
	kp := loadReply(t, "a-write-read/conn01/06-d2c-new_keypair_reply.cbor").NewKeypairReply
	if kp == nil || kp.ErrorCode != 0 || len(kp.WriteCap) != 168 || len(kp.ReadCap) != 136 || len(kp.FirstMessageIndex) != 104 ||
		!bytes.Equal(kp.WriteCap[64:], kp.FirstMessageIndex) || !bytes.Equal(kp.ReadCap[32:], kp.FirstMessageIndex) ||
		!bytes.Equal(kp.WriteCap[32:64], kp.ReadCap[:32]) {
		t.Fatalf("new_keypair_reply %d %d %d", len(kp.WriteCap), len(kp.ReadCap), len(kp.FirstMessageIndex))
	}
	ew := loadReply(t, "a-write-read/conn01/08-d2c-encrypt_write_reply.cbor").EncryptWriteReply
	if ew == nil || ew.ErrorCode != 0 || len(ew.MessageCiphertext) != 2000 || len(ew.EnvelopeDescriptor) != 201 ||
		len(ew.EnvelopeHash) != 32 || len(ew.NextMessageBoxIndex) != 104 {
		t.Fatalf("encrypt_write_reply")
	}
	i0 := binary.LittleEndian.Uint64(kp.FirstMessageIndex)
	if binary.LittleEndian.Uint64(ew.NextMessageBoxIndex) != i0+1 {
		t.Error("next index counter is not first + 1")
	}
	start := loadRequest(t, "a-write-read/conn01/09-c2d-start_resending_encrypted_message.cbor").StartResendingEncryptedMessage
	if start.ReadCap != nil || !bytes.Equal(start.WriteCap, kp.WriteCap) || start.MessageBoxIndex != nil ||
		start.ReplyIndex == nil || *start.ReplyIndex != 0 || !bytes.Equal(start.EnvelopeHash, ew.EnvelopeHash) ||
		!bytes.Equal(start.MessageCiphertext, ew.MessageCiphertext) || start.NoRetryOnBoxIDNotFound || start.NoIdempotentBoxAlreadyExists {
		t.Error("start (write) request")
	}
	sw := loadReply(t, "a-write-read/conn01/10-d2c-start_resending_encrypted_message_reply.cbor").StartResendingEncryptedMessageReply
	if sw == nil || sw.ErrorCode != 0 || sw.Plaintext != nil || len(sw.CourierIdentityHash) != 32 || string(sw.CourierQueueID) != "courier" {
		t.Errorf("start (write) reply %+v", sw)
	}
	er := loadReply(t, "a-write-read/conn02/06-d2c-encrypt_read_reply.cbor").EncryptReadReply
	if er == nil || er.ErrorCode != 0 || len(er.MessageCiphertext) != 2000 || len(er.EnvelopeDescriptor) != 201 ||
		len(er.EnvelopeHash) != 32 || !bytes.Equal(er.NextMessageBoxIndex, ew.NextMessageBoxIndex) {
		t.Error("encrypt_read_reply")
	}
	sr := loadReply(t, "a-write-read/conn02/08-d2c-start_resending_encrypted_message_reply.cbor").StartResendingEncryptedMessageReply
	if sr == nil || sr.ErrorCode != 0 || string(sr.Plaintext) != "hello pigeonhole" || len(sr.CourierIdentityHash) != 32 {
		t.Error("start (read) reply")
	}
	next := loadReply(t, "a-write-read/conn01/12-d2c-next_message_box_index_reply.cbor").NextMessageBoxIndexReply
	if next == nil || next.ErrorCode != 0 || !bytes.Equal(next.NextMessageBoxIndex, ew.NextMessageBoxIndex) {
		t.Error("next_message_box_index_reply")
	}
	for rel, want := range map[string]uint64{
		"a-write-read/conn01/14-d2c-get_message_box_index_counter_reply.cbor": 3102217582690729271,
		"a-write-read/conn01/16-d2c-get_message_box_index_counter_reply.cbor": 3102217582690729272,
	} {
		c := loadReply(t, rel).GetMessageBoxIndexCounterReply
		if c == nil || c.ErrorCode != 0 || c.Counter != want || (want == 3102217582690729271 && c.Counter != i0) {
			t.Errorf("%s: %+v", rel, c)
		}
	}
	exists := loadRequest(t, "a-write-read/conn01/19-c2d-start_resending_encrypted_message.cbor").StartResendingEncryptedMessage
	if !exists.NoIdempotentBoxAlreadyExists || exists.NoRetryOnBoxIDNotFound {
		t.Error("no-idempotent flag")
	}
	if c := loadReply(t, "a-write-read/conn01/20-d2c-start_resending_encrypted_message_reply.cbor").StartResendingEncryptedMessageReply; c.ErrorCode != 10 || c.Plaintext != nil || len(c.CourierIdentityHash) != 32 {
		t.Errorf("box already exists: %+v", c)
	}
	if r := loadRequest(t, "b-empty-box-read/conn01/09-c2d-start_resending_encrypted_message.cbor").StartResendingEncryptedMessage; !r.NoRetryOnBoxIDNotFound || len(r.ReadCap) != 136 || len(r.MessageBoxIndex) != 104 {
		t.Error("no-retry read request")
	}
	if c := loadReply(t, "b-empty-box-read/conn01/10-d2c-start_resending_encrypted_message_reply.cbor").StartResendingEncryptedMessageReply; c.ErrorCode != 1 || c.Plaintext != nil {
		t.Errorf("box not found: %+v", c)
	}
	cancelReq := loadRequest(t, "b-empty-box-read/conn01/15-c2d-cancel_resending_encrypted_message.cbor")
	startReq := loadRequest(t, "b-empty-box-read/conn01/13-c2d-start_resending_encrypted_message.cbor")
	if !bytes.Equal(cancelReq.CancelResendingEncryptedMessage.EnvelopeHash, startReq.StartResendingEncryptedMessage.EnvelopeHash) {
		t.Error("cancel names another envelope")
	}
	cancelled := loadReply(t, "b-empty-box-read/conn01/16-d2c-start_resending_encrypted_message_reply.cbor").StartResendingEncryptedMessageReply
	if cancelled.ErrorCode != 24 || *cancelled.QueryID != *startReq.QueryID() || cancelled.Plaintext != nil || len(cancelled.CourierIdentityHash) != 32 {
		t.Errorf("cancelled start %+v", cancelled)
	}
	cr := loadReply(t, "b-empty-box-read/conn01/17-d2c-cancel_resending_encrypted_message_reply.cbor").CancelResendingEncryptedMessageReply
	if cr == nil || cr.ErrorCode != 0 || *cr.QueryID != *cancelReq.QueryID() {
		t.Error("cancel reply")
	}
	fp := loadRequest(t, "d-copy-command/conn01/09-c2d-create_courier_envelopes_from_payload.cbor").CreateCourierEnvelopesFromPayload
	if len(fp.Payload) != 5004 || len(fp.DestWriteCap) != 168 || len(fp.DestStartIndex) != 104 || !fp.IsStart || !fp.IsLast {
		t.Error("from_payload request")
	}
	fpr := loadReply(t, "d-copy-command/conn01/10-d2c-create_courier_envelopes_from_payload_reply.cbor").CreateCourierEnvelopesFromPayloadReply
	if fpr == nil || fpr.ErrorCode != 0 || len(fpr.Envelopes) != 6 || len(fpr.NextDestIndex) != 104 ||
		binary.LittleEndian.Uint64(fpr.NextDestIndex) != binary.LittleEndian.Uint64(fp.DestStartIndex)+4 {
		t.Fatal("from_payload reply")
	}
	for i, e := range fpr.Envelopes {
		n := binary.BigEndian.Uint32(e[1:5])
		flags := byte(0)
		if i == 0 {
			flags |= 1
		}
		if i == len(fpr.Envelopes)-1 {
			flags |= 2
		}
		if e[0] != flags || int(n) != len(e)-5 || len(e) > 1549 {
			t.Errorf("element %d: flags %x, length %d of %d", i, e[0], n, len(e))
		}
	}
	copyReq := loadRequest(t, "d-copy-command/conn01/39-c2d-start_resending_copy_command.cbor").StartResendingCopyCommand
	if len(copyReq.WriteCap) != 168 || copyReq.CourierIdentityHash != nil || copyReq.CourierQueueID != nil {
		t.Error("copy command request")
	}
	if c := loadReply(t, "d-copy-command/conn01/41-d2c-start_resending_copy_command_reply.cbor").StartResendingCopyCommandReply; c == nil || c.ErrorCode != 0 || c.ReplicaErrorCode != 0 || c.FailedEnvelopeIndex != 0 {
		t.Error("copy command reply")
	}
	if c := loadReply(t, "h-local-extras/conn01/24-d2c-cancel_resending_copy_command_reply.cbor").CancelResendingCopyCommandReply; c == nil || c.ErrorCode != 0 {
		t.Error("cancel copy reply")
	}
	mp := loadRequest(t, "h-local-extras/conn01/11-c2d-create_courier_envelopes_from_multi_payload.cbor").CreateCourierEnvelopesFromMultiPayload
	if len(mp.Destinations) != 2 || mp.Buffer != nil || !mp.IsStart || mp.IsLast || len(mp.Destinations[1].WriteCap) != 168 {
		t.Error("multi_payload request")
	}
	mpr := loadReply(t, "h-local-extras/conn01/12-d2c-create_courier_envelopes_from_multi_payload_reply.cbor").CreateCourierEnvelopesFromMultiPayloadReply
	if mpr == nil || mpr.ErrorCode != 0 || len(mpr.Envelopes) != 3 || len(mpr.Buffer) == 0 || len(mpr.NextDestIndices) != 2 || len(mpr.NextDestIndices[0]) != 104 {
		t.Error("multi_payload reply")
	}
	tr := loadRequest(t, "h-local-extras/conn01/15-c2d-create_courier_envelopes_from_tombstone_range.cbor").CreateCourierEnvelopesFromTombstoneRange
	if tr.MaxCount != 2 || !tr.IsStart || !tr.IsLast || tr.Buffer != nil {
		t.Error("tombstone_range request")
	}
	trr := loadReply(t, "h-local-extras/conn01/16-d2c-create_courier_envelopes_from_tombstone_range_reply.cbor").CreateCourierEnvelopesFromTombstoneRangeReply
	if trr == nil || trr.ErrorCode != 0 || len(trr.Envelopes) != 3 || trr.Buffer != nil ||
		binary.LittleEndian.Uint64(trr.NextDestIndex) != binary.LittleEndian.Uint64(tr.DestStartIndex)+2 {
		t.Error("tombstone_range reply")
	}
	da := loadReply(t, "e-directory-authorities/conn01/06-d2c-get_directory_authorities_reply.cbor").GetDirectoryAuthoritiesReply
	if da == nil || da.ErrorCode != 0 || len(da.Authorities) != 3 {
		t.Fatal("directory authorities")
	}
	a := da.Authorities[0]
	if a.Identifier != "auth1" || a.PKISignatureScheme != "Ed25519" || a.WireKEMScheme != "xwing" ||
		len(a.Addresses) != 1 || a.Addresses[0] != "tcp://127.0.0.1:42001" || !strings.HasPrefix(a.IdentityPublicKeyPEM, "-----BEGIN ED25519") ||
		!strings.HasPrefix(a.LinkPublicKeyPEM, "-----BEGIN XWING") || len(a.IdentityKeyHash) != 32 {
		t.Errorf("authority %+v", a)
	}
	mint := loadRequest(t, "f-voucher/conn01/07-c2d-voucher_mint.cbor").VoucherMint
	if mint.DisplayName != "alice" || len(mint.MessageWriteCap) != 168 {
		t.Error("voucher_mint request")
	}
	mr := loadReply(t, "f-voucher/conn01/08-d2c-voucher_mint_reply.cbor").VoucherMintReply
	if mr == nil || mr.ErrorCode != 0 || len(mr.Voucher) != 32 || len(mr.VoucherPayload) != 457 || len(mr.VoucherWriteCap) != 168 ||
		len(mr.VoucherReadCap) != 136 || len(mr.VoucherSecretKey) != 162 || len(mr.VoucherPublicKey) != 160 {
		t.Error("voucher_mint reply")
	}
	ds := loadReply(t, "f-voucher/conn01/10-d2c-voucher_derive_stream_reply.cbor").VoucherDeriveStreamReply
	if ds == nil || ds.ErrorCode != 0 || !bytes.Equal(ds.VoucherWriteCap, mr.VoucherWriteCap) || !bytes.Equal(ds.VoucherReadCap, mr.VoucherReadCap) {
		t.Error("voucher_derive_stream reply")
	}
}
