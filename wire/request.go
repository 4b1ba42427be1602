package wire

// Request is a v0.0.47 request: one flat map whose flags say what to do
// (docs/protocol.md 4). The zero value of each field is what the daemon assumes
// for a missing key. Encode it with AppendFrame; it writes all 11 keys in
// the order of the daemon's own Go type, nulls for absent byte strings,
// byte for byte what the v0.0.47 Go thin client writes.
type Request struct {
	ID                *MessageID `cbor:"id"`                  // ARQ sends only
	WithSURB          bool       `cbor:"with_surb"`           // a reply can come
	SURBID            *SURBID    `cbor:"surbid"`              // SURB sends, and (see docs/protocol.md 4) no-reply sends
	DestinationIDHash []byte     `cbor:"destination_id_hash"` // 32 bytes: BLAKE2b-256 of the node's identity key
	RecipientQueueID  []byte     `cbor:"recipient_queue_id"`  // 1..32 bytes
	Payload           []byte     `cbor:"payload"`
	IsSendOp          bool       `cbor:"is_send_op"`
	IsARQSendOp       bool       `cbor:"is_arq_send_op"`
	IsLoopDecoy       bool       `cbor:"is_loop_decoy"`
	IsDropDecoy       bool       `cbor:"is_drop_decoy"`
	IsThinClose       bool       `cbor:"is_thin_close"`
}

// AppendFrame appends r, framed, to dst.
func (r *Request) AppendFrame(dst []byte) []byte {
	dst, start := beginFrame(dst)
	return endFrame(r.appendBody(dst), start)
}

// Marshal returns r's CBOR body (without the length prefix).
func (r *Request) Marshal() []byte { return r.appendBody(nil) }

// appendBody writes r by hand: a send is every v0.0.47 client's hot path,
// and the library, which takes r as an interface, would move the caller's
// request to the heap on every send and take longer (BenchmarkEncodeSend).
// The bytes are the library's (TestSendEncodersMatchLibrary).
func (r *Request) appendBody(dst []byte) []byte {
	dst = appendHead(dst, majorMap, 11)
	dst = appendID(appendKey(dst, "id"), (*[IDLength]byte)(r.ID))
	dst = appendBool(appendKey(dst, "with_surb"), r.WithSURB)
	dst = appendID(appendKey(dst, "surbid"), (*[IDLength]byte)(r.SURBID))
	dst = appendBytes(appendKey(dst, "destination_id_hash"), r.DestinationIDHash)
	dst = appendBytes(appendKey(dst, "recipient_queue_id"), r.RecipientQueueID)
	dst = appendBytes(appendKey(dst, "payload"), r.Payload)
	dst = appendBool(appendKey(dst, "is_send_op"), r.IsSendOp)
	dst = appendBool(appendKey(dst, "is_arq_send_op"), r.IsARQSendOp)
	dst = appendBool(appendKey(dst, "is_loop_decoy"), r.IsLoopDecoy)
	dst = appendBool(appendKey(dst, "is_drop_decoy"), r.IsDropDecoy)
	dst = appendBool(appendKey(dst, "is_thin_close"), r.IsThinClose)
	return dst
}

// DecodeRequest decodes a v0.0.47 request body into r, as the daemon does:
// keys matched exactly, absent keys zero, unknown keys ignored. r is reset
// first. Byte slices in r are copies, not views of body.
func DecodeRequest(body []byte, r *Request) error {
	*r = Request{}
	if err := decMode.Unmarshal(body, r); err != nil {
		return &decodeError{message: "request", err: err}
	}
	return nil
}

// Ops counts the operation flags set. The real v0.0.47 daemon crashes on a
// request with none; a well-formed request has exactly one.
func (r *Request) Ops() int {
	n := 0
	for _, f := range [...]bool{r.IsSendOp, r.IsARQSendOp, r.IsLoopDecoy, r.IsDropDecoy, r.IsThinClose} {
		if f {
			n++
		}
	}
	return n
}
