package wire

// Request99 is a v0.0.99 request: a map with one non-null operation
// (PROTOCOL.md 8 and 9): every operation of the daemon's Go type, the
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

// request99Keys is the v0.0.99 request envelope, in the Go type's order.
var request99Keys = [...]string{
	"session_token", "thin_close", "send_message", "new_keypair", "encrypt_read",
	"encrypt_write", "start_resending_encrypted_message",
	"cancel_resending_encrypted_message", "start_resending_copy_command",
	"cancel_resending_copy_command", "next_message_box_index",
	"get_message_box_index_counter", "get_pki_document", "get_directory_authorities",
	"create_courier_envelopes_from_payload", "create_courier_envelopes_from_multi_payload",
	"create_courier_envelopes_from_tombstone_range", "voucher_mint", "voucher_induct",
	"voucher_open", "voucher_derive_stream",
}

// request99Envelope is the encoded key set of the v0.0.99 request map.
var request99Envelope = newEnvelope(request99Keys[:])

// AppendFrame appends r, framed, to dst.
func (r *Request99) AppendFrame(dst []byte) []byte {
	dst, start := beginFrame(dst)
	return endFrame(r.appendBody(dst), start)
}

// Marshal returns r's CBOR body (without the length prefix).
func (r *Request99) Marshal() []byte { return r.appendBody(nil) }

func (r *Request99) appendBody(dst []byte) []byte {
	e := request99Envelope
	ops := r.ops()
	dst = append(dst, e.header...)
	for i, key := range e.keys {
		dst = append(dst, key...)
		if ops[i] != nil {
			dst = ops[i].appendBody(dst)
		} else {
			dst = append(dst, cborNull)
		}
	}
	return dst
}

// request99Op is one operation of a v0.0.99 request.
type request99Op interface {
	appendBody(dst []byte) []byte
}

// ops returns r's operations by envelope position (request99Keys), nil
// where r has none.
func (r *Request99) ops() (ops [len(request99Keys)]request99Op) {
	set := func(i int, op request99Op, ok bool) {
		if ok {
			ops[i] = op
		}
	}
	set(0, r.SessionToken, r.SessionToken != nil)
	set(1, r.ThinClose, r.ThinClose != nil)
	set(2, r.SendMessage, r.SendMessage != nil)
	set(3, r.NewKeypair, r.NewKeypair != nil)
	set(4, r.EncryptRead, r.EncryptRead != nil)
	set(5, r.EncryptWrite, r.EncryptWrite != nil)
	set(6, r.StartResendingEncryptedMessage, r.StartResendingEncryptedMessage != nil)
	set(7, r.CancelResendingEncryptedMessage, r.CancelResendingEncryptedMessage != nil)
	set(8, r.StartResendingCopyCommand, r.StartResendingCopyCommand != nil)
	set(9, r.CancelResendingCopyCommand, r.CancelResendingCopyCommand != nil)
	set(10, r.NextMessageBoxIndex, r.NextMessageBoxIndex != nil)
	set(11, r.GetMessageBoxIndexCounter, r.GetMessageBoxIndexCounter != nil)
	set(12, r.GetPKIDocument, r.GetPKIDocument != nil)
	set(13, r.GetDirectoryAuthorities, r.GetDirectoryAuthorities != nil)
	set(14, r.CreateCourierEnvelopesFromPayload, r.CreateCourierEnvelopesFromPayload != nil)
	set(15, r.CreateCourierEnvelopesFromMultiPayload, r.CreateCourierEnvelopesFromMultiPayload != nil)
	set(16, r.CreateCourierEnvelopesFromTombstoneRange, r.CreateCourierEnvelopesFromTombstoneRange != nil)
	set(17, r.VoucherMint, r.VoucherMint != nil)
	set(18, r.VoucherInduct, r.VoucherInduct != nil)
	set(19, r.VoucherOpen, r.VoucherOpen != nil)
	set(20, r.VoucherDeriveStream, r.VoucherDeriveStream != nil)
	return ops
}

func (t *SessionToken) appendBody(dst []byte) []byte {
	dst = appendHead(dst, majorMap, 1)
	return appendID(appendKey(dst, "client_instance_token"), (*[IDLength]byte)(t.ClientInstanceToken))
}

func (*ThinClose) appendBody(dst []byte) []byte { return appendHead(dst, majorMap, 0) }

func (q *GetPKIDocument) appendBody(dst []byte) []byte {
	dst = appendHead(dst, majorMap, 2)
	dst = appendID(appendKey(dst, "query_id"), (*[IDLength]byte)(q.QueryID))
	return appendHead(appendKey(dst, "epoch"), majorUint, q.Epoch)
}

func (m *SendMessage) appendBody(dst []byte) []byte {
	dst = appendHead(dst, majorMap, 6)
	dst = appendID(appendKey(dst, "id"), (*[IDLength]byte)(m.ID))
	dst = appendBool(appendKey(dst, "with_surb"), m.WithSURB)
	dst = appendID(appendKey(dst, "surbid"), (*[IDLength]byte)(m.SURBID))
	dst = appendBytes(appendKey(dst, "destination_id_hash"), m.DestinationIDHash)
	dst = appendBytes(appendKey(dst, "recipient_queue_id"), m.RecipientQueueID)
	return appendBytes(appendKey(dst, "payload"), m.Payload)
}

// DecodeRequest99 decodes a v0.0.99 request body into r, as the daemon
// does (unknown keys ignored). r is reset first.
func DecodeRequest99(body []byte, r *Request99) error {
	*r = Request99{}
	if err := decMode.Unmarshal(body, r); err != nil {
		return &DecodeError{Message: "request", Err: err}
	}
	return nil
}

// Ops counts the non-null operations in r.
func (r *Request99) Ops() int {
	n := 0
	for _, op := range r.ops() {
		if op != nil {
			n++
		}
	}
	return n
}
