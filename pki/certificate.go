package pki

// ParseCertificate decodes the signed certificate that a v0.0.99 daemon's
// get_pki_document_reply carries (a map of KeyType, Version, Certified,
// Expiration and Signatures) and parses the document in its Certified bytes
// with Parse.
//
// The signatures are not verified: the daemon verified them against the
// directory authorities it is configured with, and a thin client has
// neither those keys nor a reason to trust the daemon less than the
// document it relays. Every error wraps ErrInvalidDocument.
func ParseCertificate(b []byte) (*Document, error) {
	var c *wireCertificate
	if err := decMode.Unmarshal(b, &c); err != nil {
		return nil, invalid("certificate", err)
	}
	if c == nil {
		return nil, invalid("certificate is null", nil)
	}
	if len(c.Certified) == 0 {
		return nil, invalid("certificate has no Certified document", nil)
	}
	return Parse(c.Certified)
}
