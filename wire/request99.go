package wire

// Request99 is a v0.0.99 request: a map with one non-null operation
// (PROTOCOL.md 8). Only the operations this SDK uses are modelled; the
// Pigeonhole channel operations are out of scope. AppendFrame writes the
// 21-key envelope of the daemon's Go type, nulls for the other keys, byte
// for byte what the v0.0.99 Go thin client writes.
//
// A v0.0.47-style flat request decodes as a Request99 with every field nil:
// the daemon logs and drops it, which is why an old client hangs.
type Request99 struct {
	SessionToken   *SessionToken   `cbor:"session_token"`
	ThinClose      *ThinClose      `cbor:"thin_close"`
	SendMessage    *SendMessage    `cbor:"send_message"`
	GetPKIDocument *GetPKIDocument `cbor:"get_pki_document"`
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
	dst = append(dst, e.header...)
	for i, key := range e.keys {
		dst = append(dst, key...)
		switch {
		case i == 0 && r.SessionToken != nil:
			dst = appendHead(dst, majorMap, 1)
			dst = appendID(appendKey(dst, "client_instance_token"), (*[IDLength]byte)(r.SessionToken.ClientInstanceToken))
		case i == 1 && r.ThinClose != nil:
			dst = appendHead(dst, majorMap, 0)
		case i == 2 && r.SendMessage != nil:
			dst = r.SendMessage.appendBody(dst)
		case i == 12 && r.GetPKIDocument != nil:
			dst = appendHead(dst, majorMap, 2)
			dst = appendID(appendKey(dst, "query_id"), (*[IDLength]byte)(r.GetPKIDocument.QueryID))
			dst = appendHead(appendKey(dst, "epoch"), majorUint, r.GetPKIDocument.Epoch)
		default:
			dst = append(dst, cborNull)
		}
	}
	return dst
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
	for _, f := range [...]bool{r.SessionToken != nil, r.ThinClose != nil, r.SendMessage != nil, r.GetPKIDocument != nil} {
		if f {
			n++
		}
	}
	return n
}
