package wire

// The Pigeonhole replies of kpclientd v0.0.99 (docs/protocol.md 9.6), each
// ending with its error code. An error reply carries null result fields.

// NewKeypairReply answers NewKeypair.
type NewKeypairReply struct {
	QueryID           *QueryID  `cbor:"query_id"`
	WriteCap          []byte    `cbor:"write_cap"`
	ReadCap           []byte    `cbor:"read_cap"`
	FirstMessageIndex []byte    `cbor:"first_message_index"`
	ErrorCode         ErrorCode `cbor:"error_code"`
}

// EncryptWriteReply answers EncryptWrite: the courier query, the secret
// descriptor that decrypts the replica's answer, the operation's hash,
// and the index after the one written.
type EncryptWriteReply struct {
	QueryID             *QueryID  `cbor:"query_id"`
	MessageCiphertext   []byte    `cbor:"message_ciphertext"`
	EnvelopeDescriptor  []byte    `cbor:"envelope_descriptor"`
	EnvelopeHash        []byte    `cbor:"envelope_hash"`
	NextMessageBoxIndex []byte    `cbor:"next_message_box_index"`
	ErrorCode           ErrorCode `cbor:"error_code"`
}

// EncryptReadReply answers EncryptRead, with the fields of
// EncryptWriteReply.
type EncryptReadReply struct {
	QueryID             *QueryID  `cbor:"query_id"`
	MessageCiphertext   []byte    `cbor:"message_ciphertext"`
	EnvelopeDescriptor  []byte    `cbor:"envelope_descriptor"`
	EnvelopeHash        []byte    `cbor:"envelope_hash"`
	NextMessageBoxIndex []byte    `cbor:"next_message_box_index"`
	ErrorCode           ErrorCode `cbor:"error_code"`
}

// StartResendingEncryptedMessageReply ends a StartResendingEncryptedMessage:
// a read's plaintext, the outcome (1-11 are replica codes, 9.5) and the
// courier the daemon used.
type StartResendingEncryptedMessageReply struct {
	QueryID             *QueryID  `cbor:"query_id"`
	Plaintext           []byte    `cbor:"plaintext"`
	ErrorCode           ErrorCode `cbor:"error_code"`
	CourierIdentityHash []byte    `cbor:"courier_identity_hash"`
	CourierQueueID      []byte    `cbor:"courier_queue_id"`
}

// CancelResendingEncryptedMessageReply answers
// CancelResendingEncryptedMessage.
type CancelResendingEncryptedMessageReply struct {
	QueryID   *QueryID  `cbor:"query_id"`
	ErrorCode ErrorCode `cbor:"error_code"`
}

// StartResendingCopyCommandReply ends a StartResendingCopyCommand. The
// replica code and the 1-based position of the failing envelope are set
// only for a failed copy, and left out of the encoding when 0.
type StartResendingCopyCommandReply struct {
	QueryID             *QueryID  `cbor:"query_id"`
	ErrorCode           ErrorCode `cbor:"error_code"`
	ReplicaErrorCode    uint8     `cbor:"replica_error_code,omitempty"`
	FailedEnvelopeIndex uint64    `cbor:"failed_envelope_index,omitempty"`
}

// CancelResendingCopyCommandReply answers CancelResendingCopyCommand.
type CancelResendingCopyCommandReply struct {
	QueryID   *QueryID  `cbor:"query_id"`
	ErrorCode ErrorCode `cbor:"error_code"`
}

// NextMessageBoxIndexReply answers NextMessageBoxIndex.
type NextMessageBoxIndexReply struct {
	QueryID             *QueryID  `cbor:"query_id"`
	NextMessageBoxIndex []byte    `cbor:"next_message_box_index"`
	ErrorCode           ErrorCode `cbor:"error_code"`
}

// GetMessageBoxIndexCounterReply answers GetMessageBoxIndexCounter.
type GetMessageBoxIndexCounterReply struct {
	QueryID   *QueryID  `cbor:"query_id"`
	Counter   uint64    `cbor:"counter"`
	ErrorCode ErrorCode `cbor:"error_code"`
}

// DirectoryAuthority is one voting authority the daemon is configured
// with. IdentityKeyHash is BLAKE2b-256 of its identity key.
type DirectoryAuthority struct {
	Identifier           string   `cbor:"identifier"`
	PKISignatureScheme   string   `cbor:"pki_signature_scheme"`
	WireKEMScheme        string   `cbor:"wire_kem_scheme"`
	Addresses            []string `cbor:"addresses"`
	IdentityPublicKeyPEM string   `cbor:"identity_public_key_pem"`
	LinkPublicKeyPEM     string   `cbor:"link_public_key_pem"`
	IdentityKeyHash      []byte   `cbor:"identity_key_hash"`
}

// GetDirectoryAuthoritiesReply answers GetDirectoryAuthorities.
type GetDirectoryAuthoritiesReply struct {
	QueryID     *QueryID             `cbor:"query_id"`
	Authorities []DirectoryAuthority `cbor:"authorities"`
	ErrorCode   ErrorCode            `cbor:"error_code"`
}

// CreateCourierEnvelopesFromPayloadReply answers
// CreateCourierEnvelopesFromPayload: the copy-stream elements and the
// destination index after the last box written.
type CreateCourierEnvelopesFromPayloadReply struct {
	QueryID       *QueryID  `cbor:"query_id"`
	Envelopes     [][]byte  `cbor:"envelopes"`
	NextDestIndex []byte    `cbor:"next_dest_index"`
	ErrorCode     ErrorCode `cbor:"error_code"`
}

// CreateCourierEnvelopesFromMultiPayloadReply answers
// CreateCourierEnvelopesFromMultiPayload; NextDestIndices has one index
// per destination, in request order.
type CreateCourierEnvelopesFromMultiPayloadReply struct {
	QueryID         *QueryID  `cbor:"query_id"`
	Envelopes       [][]byte  `cbor:"envelopes"`
	Buffer          []byte    `cbor:"buffer"`
	NextDestIndices [][]byte  `cbor:"next_dest_indices"`
	ErrorCode       ErrorCode `cbor:"error_code"`
}

// CreateCourierEnvelopesFromTombstoneRangeReply answers
// CreateCourierEnvelopesFromTombstoneRange.
type CreateCourierEnvelopesFromTombstoneRangeReply struct {
	QueryID       *QueryID  `cbor:"query_id"`
	Envelopes     [][]byte  `cbor:"envelopes"`
	Buffer        []byte    `cbor:"buffer"`
	NextDestIndex []byte    `cbor:"next_dest_index"`
	ErrorCode     ErrorCode `cbor:"error_code"`
}

// VoucherMintReply answers VoucherMint. VoucherSecretKey is a secret.
type VoucherMintReply struct {
	QueryID          *QueryID  `cbor:"query_id"`
	Voucher          []byte    `cbor:"voucher"`
	VoucherPayload   []byte    `cbor:"voucher_payload"`
	VoucherWriteCap  []byte    `cbor:"voucher_write_cap"`
	VoucherReadCap   []byte    `cbor:"voucher_read_cap"`
	VoucherSecretKey []byte    `cbor:"voucher_secret_key"`
	VoucherPublicKey []byte    `cbor:"voucher_public_key"`
	ErrorCode        ErrorCode `cbor:"error_code"`
}

// VoucherInductReply answers VoucherInduct. On error DisplayName is "",
// not null.
type VoucherInductReply struct {
	QueryID               *QueryID  `cbor:"query_id"`
	DisplayName           string    `cbor:"display_name"`
	MutatedMessageReadCap []byte    `cbor:"mutated_message_read_cap"`
	SealedReply           []byte    `cbor:"sealed_reply"`
	VoucherWriteCap       []byte    `cbor:"voucher_write_cap"`
	VoucherReadCap        []byte    `cbor:"voucher_read_cap"`
	Salt                  []byte    `cbor:"salt"`
	ErrorCode             ErrorCode `cbor:"error_code"`
}

// VoucherOpenReply answers VoucherOpen.
type VoucherOpenReply struct {
	QueryID                *QueryID  `cbor:"query_id"`
	WhoReply               []byte    `cbor:"who_reply"`
	Salt                   []byte    `cbor:"salt"`
	MutatedMessageWriteCap []byte    `cbor:"mutated_message_write_cap"`
	ErrorCode              ErrorCode `cbor:"error_code"`
}

// VoucherDeriveStreamReply answers VoucherDeriveStream.
type VoucherDeriveStreamReply struct {
	QueryID         *QueryID  `cbor:"query_id"`
	VoucherWriteCap []byte    `cbor:"voucher_write_cap"`
	VoucherReadCap  []byte    `cbor:"voucher_read_cap"`
	ErrorCode       ErrorCode `cbor:"error_code"`
}
