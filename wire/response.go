package wire

import (
	"reflect"
	"time"
)

// Response is one daemon→client message of either generation: exactly one
// field is non-nil in a well-formed response (see Event). DecodeResponse
// fills it from either generation's envelope; AppendFrame writes a given
// generation's envelope (all keys present, unused ones null), byte for
// byte what that daemon writes. The fields are in the order of the v0.0.99
// envelope, tagged with its keys.
type Response struct {
	SessionTokenReply         *SessionTokenReply         `cbor:"session_token_reply"` // v0.0.99
	Shutdown                  *ShutdownEvent             `cbor:"shutdown_event"`      // "shudown_event" (sic) in v0.0.47
	ConnectionStatus          *ConnectionStatusEvent     `cbor:"connection_status_event"`
	NewPKIDocument            *NewPKIDocumentEvent       `cbor:"new_pki_document_event"`
	MessageSent               *MessageSentEvent          `cbor:"message_sent_event"`
	MessageReply              *MessageReplyEvent         `cbor:"message_reply_event"`
	MessageIDGarbageCollected *MessageIDGarbageCollected `cbor:"message_id_garbage_collected"`

	// The query replies of v0.0.99 (docs/protocol.md 9.6), each under its
	// request's key with a "_reply" suffix, in the order of queryOps.
	NewKeypairReply                               *NewKeypairReply                               `cbor:"new_keypair_reply"`
	EncryptReadReply                              *EncryptReadReply                              `cbor:"encrypt_read_reply"`
	EncryptWriteReply                             *EncryptWriteReply                             `cbor:"encrypt_write_reply"`
	StartResendingEncryptedMessageReply           *StartResendingEncryptedMessageReply           `cbor:"start_resending_encrypted_message_reply"`
	CancelResendingEncryptedMessageReply          *CancelResendingEncryptedMessageReply          `cbor:"cancel_resending_encrypted_message_reply"`
	StartResendingCopyCommandReply                *StartResendingCopyCommandReply                `cbor:"start_resending_copy_command_reply"`
	CancelResendingCopyCommandReply               *CancelResendingCopyCommandReply               `cbor:"cancel_resending_copy_command_reply"`
	NextMessageBoxIndexReply                      *NextMessageBoxIndexReply                      `cbor:"next_message_box_index_reply"`
	GetMessageBoxIndexCounterReply                *GetMessageBoxIndexCounterReply                `cbor:"get_message_box_index_counter_reply"`
	GetPKIDocumentReply                           *GetPKIDocumentReply                           `cbor:"get_pki_document_reply"`
	GetDirectoryAuthoritiesReply                  *GetDirectoryAuthoritiesReply                  `cbor:"get_directory_authorities_reply"`
	CreateCourierEnvelopesFromPayloadReply        *CreateCourierEnvelopesFromPayloadReply        `cbor:"create_courier_envelopes_from_payload_reply"`
	CreateCourierEnvelopesFromMultiPayloadReply   *CreateCourierEnvelopesFromMultiPayloadReply   `cbor:"create_courier_envelopes_from_multi_payload_reply"`
	CreateCourierEnvelopesFromTombstoneRangeReply *CreateCourierEnvelopesFromTombstoneRangeReply `cbor:"create_courier_envelopes_from_tombstone_range_reply"`
	VoucherMintReply                              *VoucherMintReply                              `cbor:"voucher_mint_reply"`
	VoucherInductReply                            *VoucherInductReply                            `cbor:"voucher_induct_reply"`
	VoucherOpenReply                              *VoucherOpenReply                              `cbor:"voucher_open_reply"`
	VoucherDeriveStreamReply                      *VoucherDeriveStreamReply                      `cbor:"voucher_derive_stream_reply"`
}

// responseWire is what the decoder fills: the v0.0.99 keys, and the
// v0.0.47 misspelling of the shutdown key. Unknown keys are ignored, as
// the daemon's own decoder ignores them.
type responseWire struct {
	Response
	Shudown *ShutdownEvent `cbor:"shudown_event"`
}

// DecodeResponse decodes a response body of either generation into r,
// which is reset first. Byte slices in r are copies, not views of body. A
// body that is not a CBOR map of the response's shape is an ErrMalformed.
// A response with no event or several is decoded without error: ask Event.
func DecodeResponse(body []byte, r *Response) error {
	var w responseWire
	if err := decMode.Unmarshal(body, &w); err != nil {
		*r = Response{}
		return &decodeError{message: "response", err: err}
	}
	if w.Shutdown == nil {
		w.Shutdown = w.Shudown
	}
	*r = w.Response
	return nil
}

// Event returns the response's one event, as a pointer to one of the event
// types of this package. It returns ErrNoEvent when none is set (a newer
// daemon's event, which a client should ignore) and ErrManyEvents when
// more than one is.
func (r *Response) Event() (any, error) {
	// The hot events first: a decoded response holds one event.
	switch {
	case r.MessageSent != nil && *r == Response{MessageSent: r.MessageSent}:
		return r.MessageSent, nil
	case r.MessageReply != nil && *r == Response{MessageReply: r.MessageReply}:
		return r.MessageReply, nil
	}
	var ev any
	v := reflect.ValueOf(r).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); !f.IsNil() {
			if ev != nil {
				return nil, ErrManyEvents
			}
			ev = f.Interface()
		}
	}
	if ev == nil {
		return nil, ErrNoEvent
	}
	return ev, nil
}

// AppendFrame appends r, framed, as a daemon of generation g writes it.
// Events that g does not have (the session token and query replies in
// v0.0.47) are written as nothing: encode those only for Generation99.
func (r *Response) AppendFrame(dst []byte, g Generation) []byte {
	dst, start := beginFrame(dst)
	return endFrame(r.appendBody(dst, g), start)
}

// Marshal returns r's CBOR body as generation g writes it.
func (r *Response) Marshal(g Generation) []byte { return r.appendBody(nil, g) }

func (r *Response) appendBody(dst []byte, g Generation) []byte {
	if g == Generation99 {
		return appendCBOR(dst, r, nil)
	}
	e := getEncoder()
	defer putEncoder(e)
	r.to47(&e.r47)
	return appendCBOR(dst, &e.r47, e)
}

// response47 is the v0.0.47 response envelope (docs/protocol.md 5): six
// events, the shutdown key misspelt, errors written as empty maps, no
// error codes, and a status event without the v0.0.99 fields.
type response47 struct {
	Shutdown                  *ShutdownEvent             `cbor:"shudown_event"`
	ConnectionStatus          *status47                  `cbor:"connection_status_event"`
	NewPKIDocument            *NewPKIDocumentEvent       `cbor:"new_pki_document_event"`
	MessageSent               *sent47                    `cbor:"message_sent_event"`
	MessageReply              *reply47                   `cbor:"message_reply_event"`
	MessageIDGarbageCollected *MessageIDGarbageCollected `cbor:"message_id_garbage_collected"`

	// Storage for the events the pointers above point to.
	status status47
	sent   sent47
	reply  reply47
	err    error47
}

type status47 struct {
	IsConnected bool     `cbor:"is_connected"`
	Err         *error47 `cbor:"err"`
}

type sent47 struct {
	MessageID *MessageID    `cbor:"message_id"`
	SURBID    *SURBID       `cbor:"surbid"`
	SentAt    time.Time     `cbor:"sent_at"`
	ReplyETA  time.Duration `cbor:"reply_eta"`
	Err       *error47      `cbor:"err"`
}

type reply47 struct {
	MessageID *MessageID `cbor:"message_id"`
	SURBID    *SURBID    `cbor:"surbid"`
	Payload   []byte     `cbor:"payload"`
	Err       *error47   `cbor:"err"`
}

// error47 is how the v0.0.47 daemon encodes a Go error: an empty map,
// the text lost.
type error47 struct{}

// to47 sets w to r in the v0.0.47 envelope, its events in w's storage.
func (r *Response) to47(w *response47) {
	*w = response47{Shutdown: r.Shutdown, NewPKIDocument: r.NewPKIDocument, MessageIDGarbageCollected: r.MessageIDGarbageCollected}
	err := func(e *DaemonError) *error47 {
		if e == nil {
			return nil
		}
		return &w.err
	}
	if s := r.ConnectionStatus; s != nil {
		w.status = status47{IsConnected: s.IsConnected, Err: err(s.Err)}
		w.ConnectionStatus = &w.status
	}
	if m := r.MessageSent; m != nil {
		w.sent = sent47{MessageID: m.MessageID, SURBID: m.SURBID, SentAt: m.SentAt, ReplyETA: m.ReplyETA, Err: err(m.Err)}
		w.MessageSent = &w.sent
	}
	if m := r.MessageReply; m != nil {
		w.reply = reply47{MessageID: m.MessageID, SURBID: m.SURBID, Payload: m.Payload, Err: err(m.Err)}
		w.MessageReply = &w.reply
	}
}
