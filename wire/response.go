package wire

// Response is one daemon→client message of either generation: exactly one
// field is non-nil in a well-formed response (see Event). DecodeResponse
// fills it from either generation's envelope; AppendFrame writes a given
// generation's envelope (all keys present, unused ones null), byte for
// byte what that daemon writes.
type Response struct {
	Shutdown                  *ShutdownEvent             // "shudown_event" (sic, v0.0.47) or "shutdown_event"
	ConnectionStatus          *ConnectionStatusEvent     // "connection_status_event"
	NewPKIDocument            *NewPKIDocumentEvent       // "new_pki_document_event"
	MessageSent               *MessageSentEvent          // "message_sent_event"
	MessageReply              *MessageReplyEvent         // "message_reply_event"
	MessageIDGarbageCollected *MessageIDGarbageCollected // "message_id_garbage_collected"
	SessionTokenReply         *SessionTokenReply         // "session_token_reply", v0.0.99
	GetPKIDocumentReply       *GetPKIDocumentReply       // "get_pki_document_reply", v0.0.99

	// The Pigeonhole replies of v0.0.99 (PROTOCOL.md 9.6), each under
	// its type's name in snake case with a "_reply" suffix.
	NewKeypairReply                               *NewKeypairReply
	EncryptReadReply                              *EncryptReadReply
	EncryptWriteReply                             *EncryptWriteReply
	StartResendingEncryptedMessageReply           *StartResendingEncryptedMessageReply
	CancelResendingEncryptedMessageReply          *CancelResendingEncryptedMessageReply
	StartResendingCopyCommandReply                *StartResendingCopyCommandReply
	CancelResendingCopyCommandReply               *CancelResendingCopyCommandReply
	NextMessageBoxIndexReply                      *NextMessageBoxIndexReply
	GetMessageBoxIndexCounterReply                *GetMessageBoxIndexCounterReply
	GetDirectoryAuthoritiesReply                  *GetDirectoryAuthoritiesReply
	CreateCourierEnvelopesFromPayloadReply        *CreateCourierEnvelopesFromPayloadReply
	CreateCourierEnvelopesFromMultiPayloadReply   *CreateCourierEnvelopesFromMultiPayloadReply
	CreateCourierEnvelopesFromTombstoneRangeReply *CreateCourierEnvelopesFromTombstoneRangeReply
	VoucherMintReply                              *VoucherMintReply
	VoucherInductReply                            *VoucherInductReply
	VoucherOpenReply                              *VoucherOpenReply
	VoucherDeriveStreamReply                      *VoucherDeriveStreamReply
}

// responseWire is what the decoder fills: both spellings of the shutdown
// key, every other key of both generations that this SDK understands.
// Unknown keys are ignored, as the daemon's own decoder ignores them.
type responseWire struct {
	ShudownEvent                                  *ShutdownEvent                                 `cbor:"shudown_event"`
	ShutdownEvent                                 *ShutdownEvent                                 `cbor:"shutdown_event"`
	ConnectionStatusEvent                         *ConnectionStatusEvent                         `cbor:"connection_status_event"`
	NewPKIDocumentEvent                           *NewPKIDocumentEvent                           `cbor:"new_pki_document_event"`
	MessageSentEvent                              *MessageSentEvent                              `cbor:"message_sent_event"`
	MessageReplyEvent                             *MessageReplyEvent                             `cbor:"message_reply_event"`
	MessageIDGarbageCollected                     *MessageIDGarbageCollected                     `cbor:"message_id_garbage_collected"`
	SessionTokenReply                             *SessionTokenReply                             `cbor:"session_token_reply"`
	GetPKIDocumentReply                           *GetPKIDocumentReply                           `cbor:"get_pki_document_reply"`
	NewKeypairReply                               *NewKeypairReply                               `cbor:"new_keypair_reply"`
	EncryptReadReply                              *EncryptReadReply                              `cbor:"encrypt_read_reply"`
	EncryptWriteReply                             *EncryptWriteReply                             `cbor:"encrypt_write_reply"`
	StartResendingEncryptedMessageReply           *StartResendingEncryptedMessageReply           `cbor:"start_resending_encrypted_message_reply"`
	CancelResendingEncryptedMessageReply          *CancelResendingEncryptedMessageReply          `cbor:"cancel_resending_encrypted_message_reply"`
	StartResendingCopyCommandReply                *StartResendingCopyCommandReply                `cbor:"start_resending_copy_command_reply"`
	CancelResendingCopyCommandReply               *CancelResendingCopyCommandReply               `cbor:"cancel_resending_copy_command_reply"`
	NextMessageBoxIndexReply                      *NextMessageBoxIndexReply                      `cbor:"next_message_box_index_reply"`
	GetMessageBoxIndexCounterReply                *GetMessageBoxIndexCounterReply                `cbor:"get_message_box_index_counter_reply"`
	GetDirectoryAuthoritiesReply                  *GetDirectoryAuthoritiesReply                  `cbor:"get_directory_authorities_reply"`
	CreateCourierEnvelopesFromPayloadReply        *CreateCourierEnvelopesFromPayloadReply        `cbor:"create_courier_envelopes_from_payload_reply"`
	CreateCourierEnvelopesFromMultiPayloadReply   *CreateCourierEnvelopesFromMultiPayloadReply   `cbor:"create_courier_envelopes_from_multi_payload_reply"`
	CreateCourierEnvelopesFromTombstoneRangeReply *CreateCourierEnvelopesFromTombstoneRangeReply `cbor:"create_courier_envelopes_from_tombstone_range_reply"`
	VoucherMintReply                              *VoucherMintReply                              `cbor:"voucher_mint_reply"`
	VoucherInductReply                            *VoucherInductReply                            `cbor:"voucher_induct_reply"`
	VoucherOpenReply                              *VoucherOpenReply                              `cbor:"voucher_open_reply"`
	VoucherDeriveStreamReply                      *VoucherDeriveStreamReply                      `cbor:"voucher_derive_stream_reply"`
}

// DecodeResponse decodes a response body of either generation into r,
// which is reset first. Byte slices in r are copies, not views of body. A
// body that is not a CBOR map of the response's shape is a *DecodeError.
// A response with no event or several is decoded without error: ask Event.
func DecodeResponse(body []byte, r *Response) error {
	var w responseWire
	if err := decMode.Unmarshal(body, &w); err != nil {
		*r = Response{}
		return &DecodeError{Message: "response", Err: err}
	}
	shutdown := w.ShutdownEvent
	if shutdown == nil {
		shutdown = w.ShudownEvent
	}
	*r = Response{
		Shutdown:                                      shutdown,
		ConnectionStatus:                              w.ConnectionStatusEvent,
		NewPKIDocument:                                w.NewPKIDocumentEvent,
		MessageSent:                                   w.MessageSentEvent,
		MessageReply:                                  w.MessageReplyEvent,
		MessageIDGarbageCollected:                     w.MessageIDGarbageCollected,
		SessionTokenReply:                             w.SessionTokenReply,
		GetPKIDocumentReply:                           w.GetPKIDocumentReply,
		NewKeypairReply:                               w.NewKeypairReply,
		EncryptReadReply:                              w.EncryptReadReply,
		EncryptWriteReply:                             w.EncryptWriteReply,
		StartResendingEncryptedMessageReply:           w.StartResendingEncryptedMessageReply,
		CancelResendingEncryptedMessageReply:          w.CancelResendingEncryptedMessageReply,
		StartResendingCopyCommandReply:                w.StartResendingCopyCommandReply,
		CancelResendingCopyCommandReply:               w.CancelResendingCopyCommandReply,
		NextMessageBoxIndexReply:                      w.NextMessageBoxIndexReply,
		GetMessageBoxIndexCounterReply:                w.GetMessageBoxIndexCounterReply,
		GetDirectoryAuthoritiesReply:                  w.GetDirectoryAuthoritiesReply,
		CreateCourierEnvelopesFromPayloadReply:        w.CreateCourierEnvelopesFromPayloadReply,
		CreateCourierEnvelopesFromMultiPayloadReply:   w.CreateCourierEnvelopesFromMultiPayloadReply,
		CreateCourierEnvelopesFromTombstoneRangeReply: w.CreateCourierEnvelopesFromTombstoneRangeReply,
		VoucherMintReply:                              w.VoucherMintReply,
		VoucherInductReply:                            w.VoucherInductReply,
		VoucherOpenReply:                              w.VoucherOpenReply,
		VoucherDeriveStreamReply:                      w.VoucherDeriveStreamReply,
	}
	return nil
}

// Event returns the response's one event, as a pointer to one of the event
// types of this package. It returns ErrNoEvent when none is set (a newer
// daemon's event, which a client should ignore) and ErrManyEvents when
// more than one is.
func (r *Response) Event() (any, error) {
	var ev any
	n := 0
	set := func(v any, ok bool) {
		if ok {
			ev = v
			n++
		}
	}
	set(r.Shutdown, r.Shutdown != nil)
	set(r.ConnectionStatus, r.ConnectionStatus != nil)
	set(r.NewPKIDocument, r.NewPKIDocument != nil)
	set(r.MessageSent, r.MessageSent != nil)
	set(r.MessageReply, r.MessageReply != nil)
	set(r.MessageIDGarbageCollected, r.MessageIDGarbageCollected != nil)
	set(r.SessionTokenReply, r.SessionTokenReply != nil)
	for _, q := range r.queryReplies() {
		set(q, q != nil)
	}
	switch n {
	case 0:
		return nil, ErrNoEvent
	case 1:
		return ev, nil
	default:
		return nil, ErrManyEvents
	}
}
