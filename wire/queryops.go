package wire

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// ReplyKind names the reply a query request expects: replies are matched
// to their requests by query ID and kind (docs/protocol.md 9.12). The
// kinds are in the order of queryOps.
type ReplyKind uint8

// The reply kinds; ReplyNone is "not a query reply".
const (
	ReplyNone                                     ReplyKind = iota
	ReplyNewKeypair                                         // NewKeypairReply
	ReplyEncryptRead                                        // EncryptReadReply
	ReplyEncryptWrite                                       // EncryptWriteReply
	ReplyStartResendingEncryptedMessage                     // StartResendingEncryptedMessageReply
	ReplyCancelResendingEncryptedMessage                    // CancelResendingEncryptedMessageReply
	ReplyStartResendingCopyCommand                          // StartResendingCopyCommandReply
	ReplyCancelResendingCopyCommand                         // CancelResendingCopyCommandReply
	ReplyNextMessageBoxIndex                                // NextMessageBoxIndexReply
	ReplyGetMessageBoxIndexCounter                          // GetMessageBoxIndexCounterReply
	ReplyGetPKIDocument                                     // GetPKIDocumentReply
	ReplyGetDirectoryAuthorities                            // GetDirectoryAuthoritiesReply
	ReplyCreateCourierEnvelopesFromPayload                  // CreateCourierEnvelopesFromPayloadReply
	ReplyCreateCourierEnvelopesFromMultiPayload             // CreateCourierEnvelopesFromMultiPayloadReply
	ReplyCreateCourierEnvelopesFromTombstoneRange           // CreateCourierEnvelopesFromTombstoneRangeReply
	ReplyVoucherMint                                        // VoucherMintReply
	ReplyVoucherInduct                                      // VoucherInductReply
	ReplyVoucherOpen                                        // VoucherOpenReply
	ReplyVoucherDeriveStream                                // VoucherDeriveStreamReply
)

// queryOps is the table of query operations (docs/protocol.md 9.6), one
// row each: the kind of its reply, and its request's key, which tags its
// Request99 field. The reply's key, which tags its Response field, is the
// request's key with "_reply" added. Adding an operation is its request
// and reply types, their fields in Request99 and Response, a ReplyKind,
// and a row here; the encoders and decoders follow from the types.
var queryOps = [...]struct {
	kind ReplyKind
	name string
}{
	{ReplyNewKeypair, "new_keypair"},
	{ReplyEncryptRead, "encrypt_read"},
	{ReplyEncryptWrite, "encrypt_write"},
	{ReplyStartResendingEncryptedMessage, "start_resending_encrypted_message"},
	{ReplyCancelResendingEncryptedMessage, "cancel_resending_encrypted_message"},
	{ReplyStartResendingCopyCommand, "start_resending_copy_command"},
	{ReplyCancelResendingCopyCommand, "cancel_resending_copy_command"},
	{ReplyNextMessageBoxIndex, "next_message_box_index"},
	{ReplyGetMessageBoxIndexCounter, "get_message_box_index_counter"},
	{ReplyGetPKIDocument, "get_pki_document"},
	{ReplyGetDirectoryAuthorities, "get_directory_authorities"},
	{ReplyCreateCourierEnvelopesFromPayload, "create_courier_envelopes_from_payload"},
	{ReplyCreateCourierEnvelopesFromMultiPayload, "create_courier_envelopes_from_multi_payload"},
	{ReplyCreateCourierEnvelopesFromTombstoneRange, "create_courier_envelopes_from_tombstone_range"},
	{ReplyVoucherMint, "voucher_mint"},
	{ReplyVoucherInduct, "voucher_induct"},
	{ReplyVoucherOpen, "voucher_open"},
	{ReplyVoucherDeriveStream, "voucher_derive_stream"},
}

// numReplyKinds counts the kinds, ReplyNone included.
const numReplyKinds = len(queryOps) + 1

// requestField describes a field of Request99: the operation's key and,
// for a query operation, the position of its QueryID field and the kind
// of its reply.
type requestField struct {
	name    string
	queryID int // -1: not a query
	reply   ReplyKind
}

// replyField locates a kind's reply: its field in Response, and the
// QueryID and ErrorCode fields in the reply.
type replyField struct {
	name                    string
	field, queryID, errCode int
}

// requestFields and replyFields index the types by queryOps, once.
var requestFields, replyFields = indexQueryOps()

func indexQueryOps() ([]requestField, [numReplyKinds]replyField) {
	req, resp := reflect.TypeFor[Request99](), reflect.TypeFor[Response]()
	reqs := make([]requestField, req.NumField())
	for i := range reqs {
		reqs[i] = requestField{name: cborKey(req.Field(i)), queryID: -1}
	}
	var reps [numReplyKinds]replyField
	reps[ReplyNone] = replyField{name: "none"}
	for i, op := range queryOps {
		if op.kind != ReplyKind(i+1) {
			panic(fmt.Sprintf("wire: queryOps row %d is out of order", i))
		}
		q := fieldByKey(req, op.name)
		reqs[q.Index[0]].queryID = fieldByKey(q.Type.Elem(), "query_id").Index[0]
		reqs[q.Index[0]].reply = op.kind
		r := fieldByKey(resp, op.name+"_reply")
		reps[op.kind] = replyField{name: op.name + "_reply", field: r.Index[0],
			queryID: fieldByKey(r.Type.Elem(), "query_id").Index[0], errCode: fieldByKey(r.Type.Elem(), "error_code").Index[0]}
	}
	return reqs, reps
}

// cborKey is the map key of a struct field: its cbor tag up to options.
func cborKey(f reflect.StructField) string {
	key, _, _ := strings.Cut(f.Tag.Get("cbor"), ",")
	return key
}

func fieldByKey(t reflect.Type, key string) reflect.StructField {
	for i := range t.NumField() {
		if f := t.Field(i); cborKey(f) == key {
			return f
		}
	}
	panic(fmt.Sprintf("wire: %v has no field for %q", t, key))
}

// String returns the reply's key in the response envelope.
func (k ReplyKind) String() string {
	if int(k) < numReplyKinds {
		return replyFields[k].name
	}
	return "ReplyKind(" + strconv.Itoa(int(k)) + ")"
}

// op returns r's first operation in envelope order (the daemon dispatches
// one per request) and its field's position, or -1 when r has none.
func (r *Request99) op() (reflect.Value, int) {
	v := reflect.ValueOf(r).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); !f.IsNil() {
			return f.Elem(), i
		}
	}
	return reflect.Value{}, -1
}

// Ops counts the non-null operations in r.
func (r *Request99) Ops() int {
	n := 0
	v := reflect.ValueOf(r).Elem()
	for i := range v.NumField() {
		if !v.Field(i).IsNil() {
			n++
		}
	}
	return n
}

// OperationName returns the wire name of r's operation, e.g.
// "get_pki_document", or "" when r has none.
func (r *Request99) OperationName() string {
	if _, i := r.op(); i >= 0 {
		return requestFields[i].name
	}
	return ""
}

// QueryID returns the query ID of r's operation, nil if it has none
// (session_token, thin_close, send_message) or r has no operation.
func (r *Request99) QueryID() *QueryID {
	if op, i := r.op(); i >= 0 && requestFields[i].queryID >= 0 {
		return op.Field(requestFields[i].queryID).Interface().(*QueryID)
	}
	return nil
}

// SetQueryID sets the query ID of r's operation to a copy of q. It
// reports false, changing nothing, when the operation has no query ID.
func (r *Request99) SetQueryID(q QueryID) bool {
	if op, i := r.op(); i >= 0 && requestFields[i].queryID >= 0 {
		op.Field(requestFields[i].queryID).Set(reflect.ValueOf(&q))
		return true
	}
	return false
}

// ExpectedReply returns the kind of reply r's operation gets, ReplyNone
// for an operation answered by no query reply.
func (r *Request99) ExpectedReply() ReplyKind {
	if _, i := r.op(); i >= 0 {
		return requestFields[i].reply
	}
	return ReplyNone
}

// queryReply returns the kind of r's first query reply in envelope order
// and the reply, or ReplyNone.
func (r *Response) queryReply() (ReplyKind, reflect.Value) {
	v := reflect.ValueOf(r).Elem()
	for k := ReplyKind(1); int(k) < numReplyKinds; k++ {
		if f := v.Field(replyFields[k].field); !f.IsNil() {
			return k, f.Elem()
		}
	}
	return ReplyNone, reflect.Value{}
}

// QueryReply returns the kind and query ID of r's query reply, or
// ReplyNone and nil when r holds none (an event). With several, the first
// in envelope order wins; Event reports them as ErrManyEvents.
func (r *Response) QueryReply() (ReplyKind, *QueryID) {
	k, v := r.queryReply()
	if k == ReplyNone {
		return ReplyNone, nil
	}
	return k, v.Field(replyFields[k].queryID).Interface().(*QueryID)
}

// ErrorCode returns the error code of r's query reply, and false when r
// holds none.
func (r *Response) ErrorCode() (ErrorCode, bool) {
	k, v := r.queryReply()
	if k == ReplyNone {
		return 0, false
	}
	return ErrorCode(v.Field(replyFields[k].errCode).Uint()), true
}
