package wire

// Hand-written encoders of the Pigeonhole records, byte for byte what the
// v0.0.99 Go types encode to (PROTOCOL.md 9.2): every field in
// declaration order, nil as null, omitempty fields left out when zero.

func appendQueryID(dst []byte, q *QueryID) []byte {
	return appendID(appendKey(dst, "query_id"), (*[IDLength]byte)(q))
}

func appendCode(dst []byte, c ErrorCode) []byte {
	return appendHead(appendKey(dst, "error_code"), majorUint, uint64(c))
}

func appendField(dst []byte, key string, b []byte) []byte {
	return appendBytes(appendKey(dst, key), b)
}

func appendBoolField(dst []byte, key string, v bool) []byte {
	return appendBool(appendKey(dst, key), v)
}

// appendByteStrings writes a list of byte strings, or null for nil.
func appendByteStrings(dst []byte, key string, list [][]byte) []byte {
	dst = appendKey(dst, key)
	if list == nil {
		return append(dst, cborNull)
	}
	dst = appendHead(dst, majorArray, uint64(len(list)))
	for _, b := range list {
		dst = appendBytes(dst, b)
	}
	return dst
}

func (q *NewKeypair) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 2), q.QueryID)
	return appendField(dst, "seed", q.Seed)
}

func (q *EncryptWrite) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 4), q.QueryID)
	dst = appendField(dst, "plaintext", q.Plaintext)
	dst = appendField(dst, "write_cap", q.WriteCap)
	return appendField(dst, "message_box_index", q.MessageBoxIndex)
}

func (q *EncryptRead) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 3), q.QueryID)
	dst = appendField(dst, "read_cap", q.ReadCap)
	return appendField(dst, "message_box_index", q.MessageBoxIndex)
}

func (q *StartResendingEncryptedMessage) appendBody(dst []byte) []byte {
	n := uint64(7)
	for _, set := range [...]bool{q.ReplyIndex != nil, q.NoRetryOnBoxIDNotFound, q.NoIdempotentBoxAlreadyExists} {
		if set {
			n++
		}
	}
	dst = appendQueryID(appendHead(dst, majorMap, n), q.QueryID)
	dst = appendField(dst, "read_cap", q.ReadCap)
	dst = appendField(dst, "write_cap", q.WriteCap)
	dst = appendField(dst, "message_box_index", q.MessageBoxIndex)
	if q.ReplyIndex != nil {
		dst = appendHead(appendKey(dst, "reply_index"), majorUint, uint64(*q.ReplyIndex))
	}
	dst = appendField(dst, "envelope_descriptor", q.EnvelopeDescriptor)
	dst = appendField(dst, "message_ciphertext", q.MessageCiphertext)
	dst = appendField(dst, "envelope_hash", q.EnvelopeHash)
	if q.NoRetryOnBoxIDNotFound {
		dst = appendBoolField(dst, "no_retry_on_box_id_not_found", true)
	}
	if q.NoIdempotentBoxAlreadyExists {
		dst = appendBoolField(dst, "no_idempotent_box_already_exists", true)
	}
	return dst
}

func (q *CancelResendingEncryptedMessage) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 2), q.QueryID)
	return appendField(dst, "envelope_hash", q.EnvelopeHash)
}

func (q *StartResendingCopyCommand) appendBody(dst []byte) []byte {
	n := uint64(2)
	if len(q.CourierIdentityHash) > 0 {
		n++
	}
	if len(q.CourierQueueID) > 0 {
		n++
	}
	dst = appendQueryID(appendHead(dst, majorMap, n), q.QueryID)
	dst = appendField(dst, "write_cap", q.WriteCap)
	if len(q.CourierIdentityHash) > 0 {
		dst = appendField(dst, "courier_identity_hash", q.CourierIdentityHash)
	}
	if len(q.CourierQueueID) > 0 {
		dst = appendField(dst, "courier_queue_id", q.CourierQueueID)
	}
	return dst
}

func (q *CancelResendingCopyCommand) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 2), q.QueryID)
	return appendField(dst, "write_cap_hash", q.WriteCapHash)
}

func (q *NextMessageBoxIndex) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 2), q.QueryID)
	return appendField(dst, "message_box_index", q.MessageBoxIndex)
}

func (q *GetMessageBoxIndexCounter) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 2), q.QueryID)
	return appendField(dst, "message_box_index", q.MessageBoxIndex)
}

func (q *GetDirectoryAuthorities) appendBody(dst []byte) []byte {
	return appendQueryID(appendHead(dst, majorMap, 1), q.QueryID)
}

func (q *CreateCourierEnvelopesFromPayload) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 6), q.QueryID)
	dst = appendField(dst, "payload", q.Payload)
	dst = appendField(dst, "dest_write_cap", q.DestWriteCap)
	dst = appendField(dst, "dest_start_index", q.DestStartIndex)
	dst = appendBoolField(dst, "is_start", q.IsStart)
	return appendBoolField(dst, "is_last", q.IsLast)
}

func (q *CreateCourierEnvelopesFromMultiPayload) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 5), q.QueryID)
	dst = appendKey(dst, "destinations")
	if q.Destinations == nil {
		dst = append(dst, cborNull)
	} else {
		dst = appendHead(dst, majorArray, uint64(len(q.Destinations)))
		for i := range q.Destinations {
			d := &q.Destinations[i]
			dst = appendField(appendHead(dst, majorMap, 3), "payload", d.Payload)
			dst = appendField(dst, "write_cap", d.WriteCap)
			dst = appendField(dst, "start_index", d.StartIndex)
		}
	}
	dst = appendBoolField(dst, "is_start", q.IsStart)
	dst = appendBoolField(dst, "is_last", q.IsLast)
	return appendField(dst, "buffer", q.Buffer)
}

func (q *CreateCourierEnvelopesFromTombstoneRange) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 7), q.QueryID)
	dst = appendField(dst, "dest_write_cap", q.DestWriteCap)
	dst = appendField(dst, "dest_start_index", q.DestStartIndex)
	dst = appendHead(appendKey(dst, "max_count"), majorUint, uint64(q.MaxCount))
	dst = appendBoolField(dst, "is_start", q.IsStart)
	dst = appendBoolField(dst, "is_last", q.IsLast)
	return appendField(dst, "buffer", q.Buffer)
}

func (q *VoucherMint) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 3), q.QueryID)
	dst = appendField(dst, "message_write_cap", q.MessageWriteCap)
	return appendText(appendKey(dst, "display_name"), q.DisplayName)
}

func (q *VoucherInduct) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 4), q.QueryID)
	dst = appendField(dst, "voucher", q.Voucher)
	dst = appendField(dst, "voucher_payload", q.VoucherPayload)
	return appendField(dst, "who_reply", q.WhoReply)
}

func (q *VoucherOpen) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 4), q.QueryID)
	dst = appendField(dst, "voucher_secret_key", q.VoucherSecretKey)
	dst = appendField(dst, "sealed_reply", q.SealedReply)
	return appendField(dst, "message_write_cap", q.MessageWriteCap)
}

func (q *VoucherDeriveStream) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 2), q.QueryID)
	return appendField(dst, "voucher", q.Voucher)
}

func (r *NewKeypairReply) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 5), r.QueryID)
	dst = appendField(dst, "write_cap", r.WriteCap)
	dst = appendField(dst, "read_cap", r.ReadCap)
	dst = appendField(dst, "first_message_index", r.FirstMessageIndex)
	return appendCode(dst, r.ErrorCode)
}

func appendEncryptReply(dst []byte, q *QueryID, ciphertext, descriptor, hash, next []byte, c ErrorCode) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 6), q)
	dst = appendField(dst, "message_ciphertext", ciphertext)
	dst = appendField(dst, "envelope_descriptor", descriptor)
	dst = appendField(dst, "envelope_hash", hash)
	dst = appendField(dst, "next_message_box_index", next)
	return appendCode(dst, c)
}

func (r *EncryptWriteReply) appendBody(dst []byte) []byte {
	return appendEncryptReply(dst, r.QueryID, r.MessageCiphertext, r.EnvelopeDescriptor, r.EnvelopeHash, r.NextMessageBoxIndex, r.ErrorCode)
}

func (r *EncryptReadReply) appendBody(dst []byte) []byte {
	return appendEncryptReply(dst, r.QueryID, r.MessageCiphertext, r.EnvelopeDescriptor, r.EnvelopeHash, r.NextMessageBoxIndex, r.ErrorCode)
}

func (r *StartResendingEncryptedMessageReply) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 5), r.QueryID)
	dst = appendField(dst, "plaintext", r.Plaintext)
	dst = appendCode(dst, r.ErrorCode)
	dst = appendField(dst, "courier_identity_hash", r.CourierIdentityHash)
	return appendField(dst, "courier_queue_id", r.CourierQueueID)
}

func (r *CancelResendingEncryptedMessageReply) appendBody(dst []byte) []byte {
	return appendCode(appendQueryID(appendHead(dst, majorMap, 2), r.QueryID), r.ErrorCode)
}

func (r *StartResendingCopyCommandReply) appendBody(dst []byte) []byte {
	n := uint64(2)
	if r.ReplicaErrorCode != 0 {
		n++
	}
	if r.FailedEnvelopeIndex != 0 {
		n++
	}
	dst = appendCode(appendQueryID(appendHead(dst, majorMap, n), r.QueryID), r.ErrorCode)
	if r.ReplicaErrorCode != 0 {
		dst = appendHead(appendKey(dst, "replica_error_code"), majorUint, uint64(r.ReplicaErrorCode))
	}
	if r.FailedEnvelopeIndex != 0 {
		dst = appendHead(appendKey(dst, "failed_envelope_index"), majorUint, r.FailedEnvelopeIndex)
	}
	return dst
}

func (r *CancelResendingCopyCommandReply) appendBody(dst []byte) []byte {
	return appendCode(appendQueryID(appendHead(dst, majorMap, 2), r.QueryID), r.ErrorCode)
}

func (r *NextMessageBoxIndexReply) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 3), r.QueryID)
	dst = appendField(dst, "next_message_box_index", r.NextMessageBoxIndex)
	return appendCode(dst, r.ErrorCode)
}

func (r *GetMessageBoxIndexCounterReply) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 3), r.QueryID)
	dst = appendHead(appendKey(dst, "counter"), majorUint, r.Counter)
	return appendCode(dst, r.ErrorCode)
}

func (r *GetDirectoryAuthoritiesReply) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 3), r.QueryID)
	dst = appendKey(dst, "authorities")
	if r.Authorities == nil {
		dst = append(dst, cborNull)
	} else {
		dst = appendHead(dst, majorArray, uint64(len(r.Authorities)))
		for i := range r.Authorities {
			dst = r.Authorities[i].appendBody(dst)
		}
	}
	return appendCode(dst, r.ErrorCode)
}

func (a *DirectoryAuthority) appendBody(dst []byte) []byte {
	dst = appendHead(dst, majorMap, 7)
	dst = appendText(appendKey(dst, "identifier"), a.Identifier)
	dst = appendText(appendKey(dst, "pki_signature_scheme"), a.PKISignatureScheme)
	dst = appendText(appendKey(dst, "wire_kem_scheme"), a.WireKEMScheme)
	dst = appendKey(dst, "addresses")
	if a.Addresses == nil {
		dst = append(dst, cborNull)
	} else {
		dst = appendHead(dst, majorArray, uint64(len(a.Addresses)))
		for _, s := range a.Addresses {
			dst = appendText(dst, s)
		}
	}
	dst = appendText(appendKey(dst, "identity_public_key_pem"), a.IdentityPublicKeyPEM)
	dst = appendText(appendKey(dst, "link_public_key_pem"), a.LinkPublicKeyPEM)
	return appendField(dst, "identity_key_hash", a.IdentityKeyHash)
}

func (r *CreateCourierEnvelopesFromPayloadReply) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 4), r.QueryID)
	dst = appendByteStrings(dst, "envelopes", r.Envelopes)
	dst = appendField(dst, "next_dest_index", r.NextDestIndex)
	return appendCode(dst, r.ErrorCode)
}

func (r *CreateCourierEnvelopesFromMultiPayloadReply) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 5), r.QueryID)
	dst = appendByteStrings(dst, "envelopes", r.Envelopes)
	dst = appendField(dst, "buffer", r.Buffer)
	dst = appendByteStrings(dst, "next_dest_indices", r.NextDestIndices)
	return appendCode(dst, r.ErrorCode)
}

func (r *CreateCourierEnvelopesFromTombstoneRangeReply) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 5), r.QueryID)
	dst = appendByteStrings(dst, "envelopes", r.Envelopes)
	dst = appendField(dst, "buffer", r.Buffer)
	dst = appendField(dst, "next_dest_index", r.NextDestIndex)
	return appendCode(dst, r.ErrorCode)
}

func (r *VoucherMintReply) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 8), r.QueryID)
	dst = appendField(dst, "voucher", r.Voucher)
	dst = appendField(dst, "voucher_payload", r.VoucherPayload)
	dst = appendField(dst, "voucher_write_cap", r.VoucherWriteCap)
	dst = appendField(dst, "voucher_read_cap", r.VoucherReadCap)
	dst = appendField(dst, "voucher_secret_key", r.VoucherSecretKey)
	dst = appendField(dst, "voucher_public_key", r.VoucherPublicKey)
	return appendCode(dst, r.ErrorCode)
}

func (r *VoucherInductReply) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 8), r.QueryID)
	dst = appendText(appendKey(dst, "display_name"), r.DisplayName)
	dst = appendField(dst, "mutated_message_read_cap", r.MutatedMessageReadCap)
	dst = appendField(dst, "sealed_reply", r.SealedReply)
	dst = appendField(dst, "voucher_write_cap", r.VoucherWriteCap)
	dst = appendField(dst, "voucher_read_cap", r.VoucherReadCap)
	dst = appendField(dst, "salt", r.Salt)
	return appendCode(dst, r.ErrorCode)
}

func (r *VoucherOpenReply) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 5), r.QueryID)
	dst = appendField(dst, "who_reply", r.WhoReply)
	dst = appendField(dst, "salt", r.Salt)
	dst = appendField(dst, "mutated_message_write_cap", r.MutatedMessageWriteCap)
	return appendCode(dst, r.ErrorCode)
}

func (r *VoucherDeriveStreamReply) appendBody(dst []byte) []byte {
	dst = appendQueryID(appendHead(dst, majorMap, 4), r.QueryID)
	dst = appendField(dst, "voucher_write_cap", r.VoucherWriteCap)
	dst = appendField(dst, "voucher_read_cap", r.VoucherReadCap)
	return appendCode(dst, r.ErrorCode)
}
