package wire

import "strconv"

// ReplyKind names the reply a query request expects: replies are matched
// to their requests by query ID and kind (PROTOCOL.md 9.12). The kinds
// are in the order of the v0.0.99 response envelope.
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

// numReplyKinds counts the kinds, ReplyNone included.
const numReplyKinds = int(ReplyVoucherDeriveStream) + 1

var replyKindNames = [numReplyKinds]string{"none",
	"new_keypair_reply",
	"encrypt_read_reply",
	"encrypt_write_reply",
	"start_resending_encrypted_message_reply",
	"cancel_resending_encrypted_message_reply",
	"start_resending_copy_command_reply",
	"cancel_resending_copy_command_reply",
	"next_message_box_index_reply",
	"get_message_box_index_counter_reply",
	"get_pki_document_reply",
	"get_directory_authorities_reply",
	"create_courier_envelopes_from_payload_reply",
	"create_courier_envelopes_from_multi_payload_reply",
	"create_courier_envelopes_from_tombstone_range_reply",
	"voucher_mint_reply",
	"voucher_induct_reply",
	"voucher_open_reply",
	"voucher_derive_stream_reply",
}

// String returns the reply's key in the response envelope.
func (k ReplyKind) String() string {
	if int(k) < numReplyKinds {
		return replyKindNames[k]
	}
	return "ReplyKind(" + strconv.Itoa(int(k)) + ")"
}

// queryRequest is an operation that carries a query ID.
type queryRequest interface {
	queryIDRef() **QueryID
}

// queryReply is a reply that carries a query ID and an error code.
type queryReply interface {
	appendBody(dst []byte) []byte
	queryID() *QueryID
	errorCode() ErrorCode
}

// firstOp returns r's first operation in envelope order and its position,
// or -1: the daemon dispatches one operation per request.
func (r *Request99) firstOp() (request99Op, int) {
	for i, op := range r.ops() {
		if op != nil {
			return op, i
		}
	}
	return nil, -1
}

// QueryID returns the query ID of r's operation, nil if it has none
// (session_token, thin_close, send_message) or r has no operation.
func (r *Request99) QueryID() *QueryID {
	op, _ := r.firstOp()
	if q, ok := op.(queryRequest); ok {
		return *q.queryIDRef()
	}
	return nil
}

// SetQueryID sets the query ID of r's operation to a copy of q. It
// reports false, changing nothing, when the operation has no query ID.
func (r *Request99) SetQueryID(q QueryID) bool {
	op, _ := r.firstOp()
	if qr, ok := op.(queryRequest); ok {
		*qr.queryIDRef() = &q
		return true
	}
	return false
}

// ExpectedReply returns the kind of reply r's operation gets, ReplyNone
// for an operation answered by no query reply.
func (r *Request99) ExpectedReply() ReplyKind {
	op, i := r.firstOp()
	if _, ok := op.(queryRequest); !ok {
		return ReplyNone
	}
	// The query operations start at new_keypair (position 3), in the
	// order of their replies.
	return ReplyKind(i - 2)
}

// queryReplies returns r's query replies by kind, nil where r has none.
func (r *Response) queryReplies() (q [numReplyKinds]queryReply) {
	set := func(k ReplyKind, v queryReply, ok bool) {
		if ok {
			q[k] = v
		}
	}
	set(ReplyNewKeypair, r.NewKeypairReply, r.NewKeypairReply != nil)
	set(ReplyEncryptRead, r.EncryptReadReply, r.EncryptReadReply != nil)
	set(ReplyEncryptWrite, r.EncryptWriteReply, r.EncryptWriteReply != nil)
	set(ReplyStartResendingEncryptedMessage, r.StartResendingEncryptedMessageReply, r.StartResendingEncryptedMessageReply != nil)
	set(ReplyCancelResendingEncryptedMessage, r.CancelResendingEncryptedMessageReply, r.CancelResendingEncryptedMessageReply != nil)
	set(ReplyStartResendingCopyCommand, r.StartResendingCopyCommandReply, r.StartResendingCopyCommandReply != nil)
	set(ReplyCancelResendingCopyCommand, r.CancelResendingCopyCommandReply, r.CancelResendingCopyCommandReply != nil)
	set(ReplyNextMessageBoxIndex, r.NextMessageBoxIndexReply, r.NextMessageBoxIndexReply != nil)
	set(ReplyGetMessageBoxIndexCounter, r.GetMessageBoxIndexCounterReply, r.GetMessageBoxIndexCounterReply != nil)
	set(ReplyGetPKIDocument, r.GetPKIDocumentReply, r.GetPKIDocumentReply != nil)
	set(ReplyGetDirectoryAuthorities, r.GetDirectoryAuthoritiesReply, r.GetDirectoryAuthoritiesReply != nil)
	set(ReplyCreateCourierEnvelopesFromPayload, r.CreateCourierEnvelopesFromPayloadReply, r.CreateCourierEnvelopesFromPayloadReply != nil)
	set(ReplyCreateCourierEnvelopesFromMultiPayload, r.CreateCourierEnvelopesFromMultiPayloadReply, r.CreateCourierEnvelopesFromMultiPayloadReply != nil)
	set(ReplyCreateCourierEnvelopesFromTombstoneRange, r.CreateCourierEnvelopesFromTombstoneRangeReply, r.CreateCourierEnvelopesFromTombstoneRangeReply != nil)
	set(ReplyVoucherMint, r.VoucherMintReply, r.VoucherMintReply != nil)
	set(ReplyVoucherInduct, r.VoucherInductReply, r.VoucherInductReply != nil)
	set(ReplyVoucherOpen, r.VoucherOpenReply, r.VoucherOpenReply != nil)
	set(ReplyVoucherDeriveStream, r.VoucherDeriveStreamReply, r.VoucherDeriveStreamReply != nil)
	return q
}

// queryReplyPositions returns r's query replies by position in the
// v0.0.99 envelope.
func (r *Response) queryReplyPositions() (p [len(response99Keys)]queryReply) {
	for k, q := range r.queryReplies() {
		if k != int(ReplyNone) {
			p[r99FirstQueryReply+k-1] = q
		}
	}
	return p
}

// QueryReply returns the kind and query ID of r's query reply, or
// ReplyNone and nil when r holds none (an event). With several, the first
// in envelope order wins; Event reports them as ErrManyEvents.
func (r *Response) QueryReply() (ReplyKind, *QueryID) {
	for k, q := range r.queryReplies() {
		if q != nil {
			return ReplyKind(k), q.queryID()
		}
	}
	return ReplyNone, nil
}

// ErrorCode returns the error code of r's query reply, and false when r
// holds none.
func (r *Response) ErrorCode() (ErrorCode, bool) {
	for _, q := range r.queryReplies() {
		if q != nil {
			return q.errorCode(), true
		}
	}
	return 0, false
}

func (q *NewKeypair) queryIDRef() **QueryID     { return &q.QueryID }
func (r *NewKeypairReply) queryID() *QueryID    { return r.QueryID }
func (r *NewKeypairReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *EncryptRead) queryIDRef() **QueryID     { return &q.QueryID }
func (r *EncryptReadReply) queryID() *QueryID    { return r.QueryID }
func (r *EncryptReadReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *EncryptWrite) queryIDRef() **QueryID     { return &q.QueryID }
func (r *EncryptWriteReply) queryID() *QueryID    { return r.QueryID }
func (r *EncryptWriteReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *StartResendingEncryptedMessage) queryIDRef() **QueryID     { return &q.QueryID }
func (r *StartResendingEncryptedMessageReply) queryID() *QueryID    { return r.QueryID }
func (r *StartResendingEncryptedMessageReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *CancelResendingEncryptedMessage) queryIDRef() **QueryID     { return &q.QueryID }
func (r *CancelResendingEncryptedMessageReply) queryID() *QueryID    { return r.QueryID }
func (r *CancelResendingEncryptedMessageReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *StartResendingCopyCommand) queryIDRef() **QueryID     { return &q.QueryID }
func (r *StartResendingCopyCommandReply) queryID() *QueryID    { return r.QueryID }
func (r *StartResendingCopyCommandReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *CancelResendingCopyCommand) queryIDRef() **QueryID     { return &q.QueryID }
func (r *CancelResendingCopyCommandReply) queryID() *QueryID    { return r.QueryID }
func (r *CancelResendingCopyCommandReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *NextMessageBoxIndex) queryIDRef() **QueryID     { return &q.QueryID }
func (r *NextMessageBoxIndexReply) queryID() *QueryID    { return r.QueryID }
func (r *NextMessageBoxIndexReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *GetMessageBoxIndexCounter) queryIDRef() **QueryID     { return &q.QueryID }
func (r *GetMessageBoxIndexCounterReply) queryID() *QueryID    { return r.QueryID }
func (r *GetMessageBoxIndexCounterReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *GetPKIDocument) queryIDRef() **QueryID     { return &q.QueryID }
func (r *GetPKIDocumentReply) queryID() *QueryID    { return r.QueryID }
func (r *GetPKIDocumentReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *GetDirectoryAuthorities) queryIDRef() **QueryID     { return &q.QueryID }
func (r *GetDirectoryAuthoritiesReply) queryID() *QueryID    { return r.QueryID }
func (r *GetDirectoryAuthoritiesReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *CreateCourierEnvelopesFromPayload) queryIDRef() **QueryID     { return &q.QueryID }
func (r *CreateCourierEnvelopesFromPayloadReply) queryID() *QueryID    { return r.QueryID }
func (r *CreateCourierEnvelopesFromPayloadReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *CreateCourierEnvelopesFromMultiPayload) queryIDRef() **QueryID     { return &q.QueryID }
func (r *CreateCourierEnvelopesFromMultiPayloadReply) queryID() *QueryID    { return r.QueryID }
func (r *CreateCourierEnvelopesFromMultiPayloadReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *CreateCourierEnvelopesFromTombstoneRange) queryIDRef() **QueryID     { return &q.QueryID }
func (r *CreateCourierEnvelopesFromTombstoneRangeReply) queryID() *QueryID    { return r.QueryID }
func (r *CreateCourierEnvelopesFromTombstoneRangeReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *VoucherMint) queryIDRef() **QueryID     { return &q.QueryID }
func (r *VoucherMintReply) queryID() *QueryID    { return r.QueryID }
func (r *VoucherMintReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *VoucherInduct) queryIDRef() **QueryID     { return &q.QueryID }
func (r *VoucherInductReply) queryID() *QueryID    { return r.QueryID }
func (r *VoucherInductReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *VoucherOpen) queryIDRef() **QueryID     { return &q.QueryID }
func (r *VoucherOpenReply) queryID() *QueryID    { return r.QueryID }
func (r *VoucherOpenReply) errorCode() ErrorCode { return r.ErrorCode }

func (q *VoucherDeriveStream) queryIDRef() **QueryID     { return &q.QueryID }
func (r *VoucherDeriveStreamReply) queryID() *QueryID    { return r.QueryID }
func (r *VoucherDeriveStreamReply) errorCode() ErrorCode { return r.ErrorCode }
