package pki

import "errors"

// ErrInvalidDocument is wrapped by every error of Parse, ParseCertificate and
// Marshal; the wrapping error says what was wrong and where. Test for it with
// errors.Is. When the CBOR decoder produced the cause, errors.As also reaches
// the decoder's error type.
var ErrInvalidDocument = errors.New("pki: invalid document")
