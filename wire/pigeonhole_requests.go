package wire

// The Pigeonhole requests of kpclientd v0.0.99 (docs/protocol.md 9.6). Each is
// a plain record: the encoder writes every field in declaration order,
// null for a nil slice or pointer, except the fields 9.2 lists as
// omitempty. Caps, indexes and hashes are kept as raw bytes so that a
// request decodes and re-encodes unchanged whatever their length; package
// pigeonhole has the typed, length-checked forms.

// NewKeypair asks for a fresh BACAP stream derived from Seed (32 bytes).
type NewKeypair struct {
	QueryID *QueryID `cbor:"query_id"`
	Seed    []byte   `cbor:"seed"`
}

// EncryptWrite asks the daemon to encrypt Plaintext for the box at
// MessageBoxIndex of the stream of WriteCap. An empty, non-nil Plaintext
// is a tombstone; nil is an error.
type EncryptWrite struct {
	QueryID         *QueryID `cbor:"query_id"`
	Plaintext       []byte   `cbor:"plaintext"`
	WriteCap        []byte   `cbor:"write_cap"`
	MessageBoxIndex []byte   `cbor:"message_box_index"`
}

// EncryptRead asks the daemon to prepare a read of the box at
// MessageBoxIndex of the stream of ReadCap.
type EncryptRead struct {
	QueryID         *QueryID `cbor:"query_id"`
	ReadCap         []byte   `cbor:"read_cap"`
	MessageBoxIndex []byte   `cbor:"message_box_index"`
}

// StartResendingEncryptedMessage hands an encrypted read or write to the
// daemon's ARQ: exactly one of ReadCap and WriteCap is set. ReplyIndex
// and the two flags are left out of the encoding when nil or false.
type StartResendingEncryptedMessage struct {
	QueryID                      *QueryID `cbor:"query_id"`
	ReadCap                      []byte   `cbor:"read_cap"`
	WriteCap                     []byte   `cbor:"write_cap"`
	MessageBoxIndex              []byte   `cbor:"message_box_index"`
	ReplyIndex                   *uint8   `cbor:"reply_index,omitempty"`
	EnvelopeDescriptor           []byte   `cbor:"envelope_descriptor"`
	MessageCiphertext            []byte   `cbor:"message_ciphertext"`
	EnvelopeHash                 []byte   `cbor:"envelope_hash"`
	NoRetryOnBoxIDNotFound       bool     `cbor:"no_retry_on_box_id_not_found,omitempty"`
	NoIdempotentBoxAlreadyExists bool     `cbor:"no_idempotent_box_already_exists,omitempty"`
}

// CancelResendingEncryptedMessage cancels the operation of EnvelopeHash.
type CancelResendingEncryptedMessage struct {
	QueryID      *QueryID `cbor:"query_id"`
	EnvelopeHash []byte   `cbor:"envelope_hash"`
}

// StartResendingCopyCommand asks a courier to copy the copy stream held
// by the temporary stream of WriteCap. The courier fields pick a courier
// (both or neither); they are left out of the encoding when empty.
type StartResendingCopyCommand struct {
	QueryID             *QueryID `cbor:"query_id"`
	WriteCap            []byte   `cbor:"write_cap"`
	CourierIdentityHash []byte   `cbor:"courier_identity_hash,omitempty"`
	CourierQueueID      []byte   `cbor:"courier_queue_id,omitempty"`
}

// CancelResendingCopyCommand cancels the copy command whose temporary
// write cap hashes (BLAKE2b-256) to WriteCapHash.
type CancelResendingCopyCommand struct {
	QueryID      *QueryID `cbor:"query_id"`
	WriteCapHash []byte   `cbor:"write_cap_hash"`
}

// NextMessageBoxIndex asks for the index after MessageBoxIndex.
type NextMessageBoxIndex struct {
	QueryID         *QueryID `cbor:"query_id"`
	MessageBoxIndex []byte   `cbor:"message_box_index"`
}

// GetMessageBoxIndexCounter asks for the counter (Idx64) of an index.
type GetMessageBoxIndexCounter struct {
	QueryID         *QueryID `cbor:"query_id"`
	MessageBoxIndex []byte   `cbor:"message_box_index"`
}

// GetDirectoryAuthorities asks for the daemon's voting authorities.
type GetDirectoryAuthorities struct {
	QueryID *QueryID `cbor:"query_id"`
}

// CreateCourierEnvelopesFromPayload splits Payload into copy-stream
// elements writing consecutive boxes of DestWriteCap from DestStartIndex.
type CreateCourierEnvelopesFromPayload struct {
	QueryID        *QueryID `cbor:"query_id"`
	Payload        []byte   `cbor:"payload"`
	DestWriteCap   []byte   `cbor:"dest_write_cap"`
	DestStartIndex []byte   `cbor:"dest_start_index"`
	IsStart        bool     `cbor:"is_start"`
	IsLast         bool     `cbor:"is_last"`
}

// CourierDestination is one destination stream of a multi-payload copy.
type CourierDestination struct {
	Payload    []byte `cbor:"payload"`
	WriteCap   []byte `cbor:"write_cap"`
	StartIndex []byte `cbor:"start_index"`
}

// CreateCourierEnvelopesFromMultiPayload packs several destinations into
// one copy stream; Buffer carries a partial element between calls.
type CreateCourierEnvelopesFromMultiPayload struct {
	QueryID      *QueryID             `cbor:"query_id"`
	Destinations []CourierDestination `cbor:"destinations"`
	IsStart      bool                 `cbor:"is_start"`
	IsLast       bool                 `cbor:"is_last"`
	Buffer       []byte               `cbor:"buffer"`
}

// CreateCourierEnvelopesFromTombstoneRange builds copy-stream elements
// that tombstone MaxCount boxes of DestWriteCap from DestStartIndex.
type CreateCourierEnvelopesFromTombstoneRange struct {
	QueryID        *QueryID `cbor:"query_id"`
	DestWriteCap   []byte   `cbor:"dest_write_cap"`
	DestStartIndex []byte   `cbor:"dest_start_index"`
	MaxCount       uint32   `cbor:"max_count"`
	IsStart        bool     `cbor:"is_start"`
	IsLast         bool     `cbor:"is_last"`
	Buffer         []byte   `cbor:"buffer"`
}

// VoucherMint mints a Contact Voucher for the stream of MessageWriteCap.
type VoucherMint struct {
	QueryID         *QueryID `cbor:"query_id"`
	MessageWriteCap []byte   `cbor:"message_write_cap"`
	DisplayName     string   `cbor:"display_name"`
}

// VoucherInduct admits the joiner whose voucher payload was read.
type VoucherInduct struct {
	QueryID        *QueryID `cbor:"query_id"`
	Voucher        []byte   `cbor:"voucher"`
	VoucherPayload []byte   `cbor:"voucher_payload"`
	WhoReply       []byte   `cbor:"who_reply"`
}

// VoucherOpen opens the inductor's sealed reply with the joiner's key.
type VoucherOpen struct {
	QueryID          *QueryID `cbor:"query_id"`
	VoucherSecretKey []byte   `cbor:"voucher_secret_key"`
	SealedReply      []byte   `cbor:"sealed_reply"`
	MessageWriteCap  []byte   `cbor:"message_write_cap"`
}

// VoucherDeriveStream derives the rendezvous stream of a voucher.
type VoucherDeriveStream struct {
	QueryID *QueryID `cbor:"query_id"`
	Voucher []byte   `cbor:"voucher"`
}
