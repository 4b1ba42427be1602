package wire

// The response envelopes, in the order of each daemon's Go type.
var (
	response47Envelope = newEnvelope([]string{
		"shudown_event", "connection_status_event", "new_pki_document_event",
		"message_sent_event", "message_reply_event", "message_id_garbage_collected",
	})
	response99Envelope = newEnvelope(response99Keys[:])
)

// response99Keys is the v0.0.99 response envelope, in the Go type's order.
var response99Keys = [...]string{
	"session_token_reply", "shutdown_event", "connection_status_event",
	"new_pki_document_event", "message_sent_event", "message_reply_event",
	"message_id_garbage_collected", "new_keypair_reply", "encrypt_read_reply",
	"encrypt_write_reply", "start_resending_encrypted_message_reply",
	"cancel_resending_encrypted_message_reply", "start_resending_copy_command_reply",
	"cancel_resending_copy_command_reply", "next_message_box_index_reply",
	"get_message_box_index_counter_reply", "get_pki_document_reply",
	"get_directory_authorities_reply", "create_courier_envelopes_from_payload_reply",
	"create_courier_envelopes_from_multi_payload_reply",
	"create_courier_envelopes_from_tombstone_range_reply", "voucher_mint_reply",
	"voucher_induct_reply", "voucher_open_reply", "voucher_derive_stream_reply",
}

// Positions of the events in each envelope.
const (
	r47Shutdown = iota
	r47Status
	r47Document
	r47Sent
	r47Reply
	r47GC
)

const (
	r99SessionToken = iota
	r99Shutdown
	r99Status
	r99Document
	r99Sent
	r99Reply
	r99GC
	r99FirstQueryReply // new_keypair_reply, and every later key is a query reply
)

// AppendFrame appends r, framed, as a daemon of generation g writes it.
// Events that g does not have (the session token and document replies in
// v0.0.47) are written as nothing: encode those only for Generation99.
func (r *Response) AppendFrame(dst []byte, g Generation) []byte {
	dst, start := beginFrame(dst)
	return endFrame(r.appendBody(dst, g), start)
}

// Marshal returns r's CBOR body as generation g writes it.
func (r *Response) Marshal(g Generation) []byte { return r.appendBody(nil, g) }

func (r *Response) appendBody(dst []byte, g Generation) []byte {
	if g == Generation99 {
		return r.append99(dst)
	}
	e := response47Envelope
	dst = append(dst, e.header...)
	for i, key := range e.keys {
		dst = append(dst, key...)
		switch {
		case i == r47Shutdown && r.Shutdown != nil:
			dst = appendHead(dst, majorMap, 0)
		case i == r47Status && r.ConnectionStatus != nil:
			dst = r.ConnectionStatus.append47(dst)
		case i == r47Document && r.NewPKIDocument != nil:
			dst = r.NewPKIDocument.appendBody(dst)
		case i == r47Sent && r.MessageSent != nil:
			dst = r.MessageSent.appendBody(dst, Generation47)
		case i == r47Reply && r.MessageReply != nil:
			dst = r.MessageReply.append47(dst)
		case i == r47GC && r.MessageIDGarbageCollected != nil:
			dst = r.MessageIDGarbageCollected.appendBody(dst)
		default:
			dst = append(dst, cborNull)
		}
	}
	return dst
}

func (r *Response) append99(dst []byte) []byte {
	e := response99Envelope
	queryReplies := r.queryReplyPositions()
	dst = append(dst, e.header...)
	for i, key := range e.keys {
		dst = append(dst, key...)
		switch {
		case i == r99SessionToken && r.SessionTokenReply != nil:
			dst = r.SessionTokenReply.appendBody(dst)
		case i == r99Shutdown && r.Shutdown != nil:
			dst = appendHead(dst, majorMap, 0)
		case i == r99Status && r.ConnectionStatus != nil:
			dst = r.ConnectionStatus.append99(dst)
		case i == r99Document && r.NewPKIDocument != nil:
			dst = r.NewPKIDocument.appendBody(dst)
		case i == r99Sent && r.MessageSent != nil:
			dst = r.MessageSent.appendBody(dst, Generation99)
		case i == r99Reply && r.MessageReply != nil:
			dst = r.MessageReply.append99(dst)
		case i == r99GC && r.MessageIDGarbageCollected != nil:
			dst = r.MessageIDGarbageCollected.appendBody(dst)
		case queryReplies[i] != nil:
			dst = queryReplies[i].appendBody(dst)
		default:
			dst = append(dst, cborNull)
		}
	}
	return dst
}

func (s *ConnectionStatusEvent) append47(dst []byte) []byte {
	dst = appendHead(dst, majorMap, 2)
	dst = appendBool(appendKey(dst, "is_connected"), s.IsConnected)
	return appendDaemonError(appendKey(dst, "err"), Generation47, s.Err)
}

func (s *ConnectionStatusEvent) append99(dst []byte) []byte {
	dst = appendHead(dst, majorMap, 5)
	dst = appendBool(appendKey(dst, "is_connected"), s.IsConnected)
	dst = appendDaemonError(appendKey(dst, "err"), Generation99, s.Err)
	dst = appendID(appendKey(dst, "instance_token"), (*[IDLength]byte)(s.InstanceToken))
	dst = s.SphinxGeometry.appendBody(appendKey(dst, "sphinx_geometry"))
	return s.PigeonholeGeometry.appendBody(appendKey(dst, "pigeonhole_geometry"))
}

// appendBody writes the geometry as the daemon's Go encoder does: a map
// in struct field order.
func (g *SphinxGeometry) appendBody(dst []byte) []byte {
	if g == nil {
		return append(dst, cborNull)
	}
	dst = appendHead(dst, majorMap, 14)
	for _, f := range [...]struct {
		k string
		v int
	}{
		{"PacketLength", g.PacketLength}, {"NrHops", g.NrHops}, {"HeaderLength", g.HeaderLength},
		{"RoutingInfoLength", g.RoutingInfoLength}, {"PerHopRoutingInfoLength", g.PerHopRoutingInfoLength},
		{"SURBLength", g.SURBLength}, {"SphinxPlaintextHeaderLength", g.SphinxPlaintextHeaderLength},
		{"PayloadTagLength", g.PayloadTagLength}, {"ForwardPayloadLength", g.ForwardPayloadLength},
		{"UserForwardPayloadLength", g.UserForwardPayloadLength}, {"NextNodeHopLength", g.NextNodeHopLength},
		{"SPRPKeyMaterialLength", g.SPRPKeyMaterialLength},
	} {
		dst = appendInt(appendKey(dst, f.k), int64(f.v))
	}
	dst = appendText(appendKey(dst, "NIKEName"), g.NIKEName)
	return appendText(appendKey(dst, "KEMName"), g.KEMName)
}

// appendBody writes the geometry as the daemon's Go encoder does.
func (g *PigeonholeGeometry) appendBody(dst []byte) []byte {
	if g == nil {
		return append(dst, cborNull)
	}
	dst = appendHead(dst, majorMap, 7)
	dst = appendInt(appendKey(dst, "MaxPlaintextPayloadLength"), int64(g.MaxPlaintextPayloadLength))
	dst = appendInt(appendKey(dst, "CourierQueryReadLength"), int64(g.CourierQueryReadLength))
	dst = appendInt(appendKey(dst, "CourierQueryWriteLength"), int64(g.CourierQueryWriteLength))
	dst = appendInt(appendKey(dst, "CourierQueryReplyReadLength"), int64(g.CourierQueryReplyReadLength))
	dst = appendInt(appendKey(dst, "CourierQueryReplyWriteLength"), int64(g.CourierQueryReplyWriteLength))
	dst = appendText(appendKey(dst, "NIKEName"), g.NIKEName)
	return appendText(appendKey(dst, "SignatureSchemeName"), g.SignatureSchemeName)
}

func (d *NewPKIDocumentEvent) appendBody(dst []byte) []byte {
	dst = appendHead(dst, majorMap, 1)
	return appendBytes(appendKey(dst, "payload"), d.Payload)
}

func (m *MessageSentEvent) appendBody(dst []byte, g Generation) []byte {
	n := uint64(5)
	if g == Generation99 && m.Err == nil {
		n = 4 // v0.0.99 leaves err out when empty
	}
	dst = appendHead(dst, majorMap, n)
	dst = appendID(appendKey(dst, "message_id"), (*[IDLength]byte)(m.MessageID))
	dst = appendID(appendKey(dst, "surbid"), (*[IDLength]byte)(m.SURBID))
	dst = appendUnixSeconds(appendKey(dst, "sent_at"), m.SentAt)
	dst = appendInt(appendKey(dst, "reply_eta"), int64(m.ReplyETA))
	if n == 5 {
		dst = appendDaemonError(appendKey(dst, "err"), g, m.Err)
	}
	return dst
}

func (m *MessageReplyEvent) append47(dst []byte) []byte {
	dst = appendHead(dst, majorMap, 4)
	dst = appendID(appendKey(dst, "message_id"), (*[IDLength]byte)(m.MessageID))
	dst = appendID(appendKey(dst, "surbid"), (*[IDLength]byte)(m.SURBID))
	dst = appendBytes(appendKey(dst, "payload"), m.Payload)
	return appendDaemonError(appendKey(dst, "err"), Generation47, m.Err)
}

func (m *MessageReplyEvent) append99(dst []byte) []byte {
	n := uint64(4)
	if m.ReplyIndex != nil {
		n = 5 // v0.0.99 leaves reply_index out when unset
	}
	dst = appendHead(dst, majorMap, n)
	dst = appendID(appendKey(dst, "message_id"), (*[IDLength]byte)(m.MessageID))
	dst = appendID(appendKey(dst, "surbid"), (*[IDLength]byte)(m.SURBID))
	dst = appendBytes(appendKey(dst, "payload"), m.Payload)
	dst = appendHead(appendKey(dst, "error_code"), majorUint, uint64(m.ErrorCode))
	if m.ReplyIndex != nil {
		dst = appendHead(appendKey(dst, "reply_index"), majorUint, uint64(*m.ReplyIndex))
	}
	return dst
}

func (m *MessageIDGarbageCollected) appendBody(dst []byte) []byte {
	dst = appendHead(dst, majorMap, 1)
	return appendID(appendKey(dst, "message_id"), (*[IDLength]byte)(m.MessageID))
}

func (s *SessionTokenReply) appendBody(dst []byte) []byte {
	dst = appendHead(dst, majorMap, 2)
	dst = appendID(appendKey(dst, "app_id"), (*[IDLength]byte)(s.AppID))
	return appendBool(appendKey(dst, "resumed"), s.Resumed)
}

func (q *GetPKIDocumentReply) appendBody(dst []byte) []byte {
	dst = appendHead(dst, majorMap, 4)
	dst = appendID(appendKey(dst, "query_id"), (*[IDLength]byte)(q.QueryID))
	dst = appendBytes(appendKey(dst, "payload"), q.Payload)
	dst = appendHead(appendKey(dst, "epoch"), majorUint, q.Epoch)
	return appendHead(appendKey(dst, "error_code"), majorUint, uint64(q.ErrorCode))
}
