package wire

import "bytes"

// Request99 is a v0.0.99 request: a map with one non-null operation
// (docs/protocol.md 8 and 9): every operation of the daemon's Go type, the
// Pigeonhole ones (9.6) included, in its envelope order. AppendFrame writes the
// 21-key envelope of the daemon's Go type, nulls for the other keys, byte
// for byte what the v0.0.99 Go thin client writes.
//
// A v0.0.47-style flat request decodes as a Request99 with every field nil:
// the daemon logs and drops it, which is why an old client hangs.
type Request99 struct {
	SessionToken                             *SessionToken                             `cbor:"session_token"`
	ThinClose                                *ThinClose                                `cbor:"thin_close"`
	SendMessage                              *SendMessage                              `cbor:"send_message"`
	NewKeypair                               *NewKeypair                               `cbor:"new_keypair"`
	EncryptRead                              *EncryptRead                              `cbor:"encrypt_read"`
	EncryptWrite                             *EncryptWrite                             `cbor:"encrypt_write"`
	StartResendingEncryptedMessage           *StartResendingEncryptedMessage           `cbor:"start_resending_encrypted_message"`
	CancelResendingEncryptedMessage          *CancelResendingEncryptedMessage          `cbor:"cancel_resending_encrypted_message"`
	StartResendingCopyCommand                *StartResendingCopyCommand                `cbor:"start_resending_copy_command"`
	CancelResendingCopyCommand               *CancelResendingCopyCommand               `cbor:"cancel_resending_copy_command"`
	NextMessageBoxIndex                      *NextMessageBoxIndex                      `cbor:"next_message_box_index"`
	GetMessageBoxIndexCounter                *GetMessageBoxIndexCounter                `cbor:"get_message_box_index_counter"`
	GetPKIDocument                           *GetPKIDocument                           `cbor:"get_pki_document"`
	GetDirectoryAuthorities                  *GetDirectoryAuthorities                  `cbor:"get_directory_authorities"`
	CreateCourierEnvelopesFromPayload        *CreateCourierEnvelopesFromPayload        `cbor:"create_courier_envelopes_from_payload"`
	CreateCourierEnvelopesFromMultiPayload   *CreateCourierEnvelopesFromMultiPayload   `cbor:"create_courier_envelopes_from_multi_payload"`
	CreateCourierEnvelopesFromTombstoneRange *CreateCourierEnvelopesFromTombstoneRange `cbor:"create_courier_envelopes_from_tombstone_range"`
	VoucherMint                              *VoucherMint                              `cbor:"voucher_mint"`
	VoucherInduct                            *VoucherInduct                            `cbor:"voucher_induct"`
	VoucherOpen                              *VoucherOpen                              `cbor:"voucher_open"`
	VoucherDeriveStream                      *VoucherDeriveStream                      `cbor:"voucher_derive_stream"`
}

// SessionToken opens or resumes an application session: the client's
// token, chosen once per client and reused on every reconnect.
type SessionToken struct {
	ClientInstanceToken *Token `cbor:"client_instance_token"`
}

// ThinClose asks the daemon to close the connection; it is the empty map.
type ThinClose struct{}

// SendMessage sends a message, with a SURB when a reply is wanted.
type SendMessage struct {
	ID                *MessageID `cbor:"id"`
	WithSURB          bool       `cbor:"with_surb"`
	SURBID            *SURBID    `cbor:"surbid"`
	DestinationIDHash []byte     `cbor:"destination_id_hash"`
	RecipientQueueID  []byte     `cbor:"recipient_queue_id"`
	Payload           []byte     `cbor:"payload"`
}

// GetPKIDocument asks for the document of an epoch (0: the current one).
type GetPKIDocument struct {
	QueryID *QueryID `cbor:"query_id"`
	Epoch   uint64   `cbor:"epoch"`
}

// AppendFrame appends r, framed, to dst.
func (r *Request99) AppendFrame(dst []byte) []byte {
	dst, start := beginFrame(dst)
	return endFrame(r.appendBody(dst), start)
}

// Marshal returns r's CBOR body (without the length prefix).
func (r *Request99) Marshal() []byte { return r.appendBody(nil) }

// appendBody writes r as the daemon's Go type encodes: the whole envelope,
// null for every operation but r's. A send is written by hand, for the
// reasons Request.appendBody gives; the bytes are the library's
// (TestSendEncodersMatchLibrary).
func (r *Request99) appendBody(dst []byte) []byte {
	if m := r.SendMessage; m != nil && *r == (Request99{SendMessage: m}) {
		dst = append(dst, sendEnvelope.head...)
		dst = appendHead(dst, majorMap, 6)
		dst = appendID(appendKey(dst, "id"), (*[IDLength]byte)(m.ID))
		dst = appendBool(appendKey(dst, "with_surb"), m.WithSURB)
		dst = appendID(appendKey(dst, "surbid"), (*[IDLength]byte)(m.SURBID))
		dst = appendBytes(appendKey(dst, "destination_id_hash"), m.DestinationIDHash)
		dst = appendBytes(appendKey(dst, "recipient_queue_id"), m.RecipientQueueID)
		dst = appendBytes(appendKey(dst, "payload"), m.Payload)
		return append(dst, sendEnvelope.tail...)
	}
	return appendCBOR(dst, r, nil)
}

// sendEnvelope is the request envelope around a send_message: the library's
// encoding of an empty request, cut at the send_message key's null.
var sendEnvelope = func() (e struct{ head, tail []byte }) {
	empty := appendCBOR(nil, &Request99{}, nil)
	key := appendKey(nil, "send_message")
	at := bytes.Index(empty, key) + len(key)
	e.head, e.tail = empty[:at], empty[at+1:]
	return e
}()

// DecodeRequest99 decodes a v0.0.99 request body into r, as the daemon
// does (unknown keys ignored). r is reset first.
func DecodeRequest99(body []byte, r *Request99) error {
	*r = Request99{}
	if err := decMode.Unmarshal(body, r); err != nil {
		return &decodeError{message: "request", err: err}
	}
	return nil
}
