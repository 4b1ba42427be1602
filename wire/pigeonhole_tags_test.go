package wire_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/katzenthin/katzenthin/wire"
)

// The captures cover most shapes; these mirror the daemon's Go types
// (docs/protocol.md 9.2, 9.6: declaration order, omitempty where listed) for
// the ones they do not, written out independently of wire's own tags, and
// check wire's encoding against the CBOR library's default encoding of
// those mirrors, as the daemon and its Go client encode.

type mirrorStart struct {
	QueryID                      []byte `cbor:"query_id"`
	ReadCap                      []byte `cbor:"read_cap"`
	WriteCap                     []byte `cbor:"write_cap"`
	MessageBoxIndex              []byte `cbor:"message_box_index"`
	ReplyIndex                   *uint8 `cbor:"reply_index,omitempty"`
	EnvelopeDescriptor           []byte `cbor:"envelope_descriptor"`
	MessageCiphertext            []byte `cbor:"message_ciphertext"`
	EnvelopeHash                 []byte `cbor:"envelope_hash"`
	NoRetryOnBoxIDNotFound       bool   `cbor:"no_retry_on_box_id_not_found,omitempty"`
	NoIdempotentBoxAlreadyExists bool   `cbor:"no_idempotent_box_already_exists,omitempty"`
}

type mirrorCopy struct {
	QueryID             []byte `cbor:"query_id"`
	WriteCap            []byte `cbor:"write_cap"`
	CourierIdentityHash []byte `cbor:"courier_identity_hash,omitempty"`
	CourierQueueID      []byte `cbor:"courier_queue_id,omitempty"`
}

type mirrorCopyReply struct {
	QueryID             []byte `cbor:"query_id"`
	ErrorCode           uint8  `cbor:"error_code"`
	ReplicaErrorCode    uint8  `cbor:"replica_error_code,omitempty"`
	FailedEnvelopeIndex uint64 `cbor:"failed_envelope_index,omitempty"`
}

type mirrorInduct struct {
	QueryID        []byte `cbor:"query_id"`
	Voucher        []byte `cbor:"voucher"`
	VoucherPayload []byte `cbor:"voucher_payload"`
	WhoReply       []byte `cbor:"who_reply"`
}

type mirrorOpen struct {
	QueryID          []byte `cbor:"query_id"`
	VoucherSecretKey []byte `cbor:"voucher_secret_key"`
	SealedReply      []byte `cbor:"sealed_reply"`
	MessageWriteCap  []byte `cbor:"message_write_cap"`
}

type mirrorInductReply struct {
	QueryID               []byte `cbor:"query_id"`
	DisplayName           string `cbor:"display_name"`
	MutatedMessageReadCap []byte `cbor:"mutated_message_read_cap"`
	SealedReply           []byte `cbor:"sealed_reply"`
	VoucherWriteCap       []byte `cbor:"voucher_write_cap"`
	VoucherReadCap        []byte `cbor:"voucher_read_cap"`
	Salt                  []byte `cbor:"salt"`
	ErrorCode             uint8  `cbor:"error_code"`
}

type mirrorOpenReply struct {
	QueryID                []byte `cbor:"query_id"`
	WhoReply               []byte `cbor:"who_reply"`
	Salt                   []byte `cbor:"salt"`
	MutatedMessageWriteCap []byte `cbor:"mutated_message_write_cap"`
	ErrorCode              uint8  `cbor:"error_code"`
}

// opBody extracts the encoding of the one non-null operation of a
// request or response body.
func opBody(t *testing.T, body []byte, key string) []byte {
	t.Helper()
	var m map[string]cbor.RawMessage
	if err := cbor.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m[key]
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPigeonholeEncodingMatchesGoTypes(t *testing.T) {
	q := wire.NewQueryID()
	qb := q[:]
	seven := uint8(7)
	hash := bytes.Repeat([]byte{0xab}, 32)
	for _, c := range []struct {
		name   string
		req    *wire.Request99
		resp   *wire.Response
		key    string
		mirror any
	}{
		{"start, no flags, no reply index", &wire.Request99{StartResendingEncryptedMessage: &wire.StartResendingEncryptedMessage{
			QueryID: &q, WriteCap: []byte{1}, EnvelopeDescriptor: []byte{2}, MessageCiphertext: []byte{3}, EnvelopeHash: hash}},
			nil, "start_resending_encrypted_message",
			mirrorStart{QueryID: qb, WriteCap: []byte{1}, EnvelopeDescriptor: []byte{2}, MessageCiphertext: []byte{3}, EnvelopeHash: hash}},
		{"start, both flags", &wire.Request99{StartResendingEncryptedMessage: &wire.StartResendingEncryptedMessage{
			QueryID: &q, ReadCap: []byte{1}, MessageBoxIndex: []byte{}, ReplyIndex: &seven, EnvelopeDescriptor: []byte{2},
			MessageCiphertext: []byte{3}, EnvelopeHash: hash, NoRetryOnBoxIDNotFound: true, NoIdempotentBoxAlreadyExists: true}},
			nil, "start_resending_encrypted_message",
			mirrorStart{QueryID: qb, ReadCap: []byte{1}, MessageBoxIndex: []byte{}, ReplyIndex: &seven, EnvelopeDescriptor: []byte{2},
				MessageCiphertext: []byte{3}, EnvelopeHash: hash, NoRetryOnBoxIDNotFound: true, NoIdempotentBoxAlreadyExists: true}},
		{"copy with a courier", &wire.Request99{StartResendingCopyCommand: &wire.StartResendingCopyCommand{
			QueryID: &q, WriteCap: []byte{1}, CourierIdentityHash: hash, CourierQueueID: []byte("courier")}},
			nil, "start_resending_copy_command",
			mirrorCopy{QueryID: qb, WriteCap: []byte{1}, CourierIdentityHash: hash, CourierQueueID: []byte("courier")}},
		{"voucher_induct", &wire.Request99{VoucherInduct: &wire.VoucherInduct{QueryID: &q, Voucher: hash, VoucherPayload: []byte{1}}},
			nil, "voucher_induct", mirrorInduct{QueryID: qb, Voucher: hash, VoucherPayload: []byte{1}}},
		{"voucher_open", &wire.Request99{VoucherOpen: &wire.VoucherOpen{QueryID: &q, SealedReply: []byte{1}, MessageWriteCap: []byte{2}}},
			nil, "voucher_open", mirrorOpen{QueryID: qb, SealedReply: []byte{1}, MessageWriteCap: []byte{2}}},
		{"failed copy", nil, &wire.Response{StartResendingCopyCommandReply: &wire.StartResendingCopyCommandReply{
			QueryID: &q, ErrorCode: 26, ReplicaErrorCode: 10, FailedEnvelopeIndex: 300}},
			"start_resending_copy_command_reply", mirrorCopyReply{QueryID: qb, ErrorCode: 26, ReplicaErrorCode: 10, FailedEnvelopeIndex: 300}},
		{"voucher_induct_reply error", nil, &wire.Response{VoucherInductReply: &wire.VoucherInductReply{QueryID: &q, ErrorCode: 28}},
			"voucher_induct_reply", mirrorInductReply{QueryID: qb, ErrorCode: 28}},
		{"voucher_induct_reply", nil, &wire.Response{VoucherInductReply: &wire.VoucherInductReply{QueryID: &q, DisplayName: "alice",
			MutatedMessageReadCap: []byte{1}, SealedReply: []byte{2}, VoucherWriteCap: []byte{3}, VoucherReadCap: []byte{4}, Salt: hash}},
			"voucher_induct_reply", mirrorInductReply{QueryID: qb, DisplayName: "alice",
				MutatedMessageReadCap: []byte{1}, SealedReply: []byte{2}, VoucherWriteCap: []byte{3}, VoucherReadCap: []byte{4}, Salt: hash}},
		{"voucher_open_reply", nil, &wire.Response{VoucherOpenReply: &wire.VoucherOpenReply{QueryID: &q, WhoReply: []byte{}, Salt: hash, MutatedMessageWriteCap: []byte{1}}},
			"voucher_open_reply", mirrorOpenReply{QueryID: qb, WhoReply: []byte{}, Salt: hash, MutatedMessageWriteCap: []byte{1}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body []byte
			if c.req != nil {
				body = c.req.Marshal()
				var again wire.Request99
				if err := wire.DecodeRequest99(body, &again); err != nil || !reflect.DeepEqual(&again, c.req) {
					t.Fatalf("request round trip: %v\n got %+v\nwant %+v", err, again, c.req)
				}
			} else {
				body = c.resp.Marshal(wire.Generation99)
				var again wire.Response
				if err := wire.DecodeResponse(body, &again); err != nil || !reflect.DeepEqual(&again, c.resp) {
					t.Fatalf("response round trip: %v", err)
				}
			}
			if got, want := opBody(t, body, c.key), mustMarshal(t, c.mirror); !bytes.Equal(got, want) {
				t.Errorf("encoding differs from the Go type's\n got %x\nwant %x", got, want)
			}
		})
	}
}
