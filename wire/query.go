package wire

// ReplyKind names the reply a query request expects, so that a client
// matches replies by query ID and type.
type ReplyKind uint8

const (
	// ReplyNone: not a query, or not a query reply.
	ReplyNone ReplyKind = iota
	// ReplyGetPKIDocument: get_pki_document_reply.
	ReplyGetPKIDocument
)

// QueryID returns the query ID of r's operation, nil if it has none.
func (r *Request99) QueryID() *QueryID {
	if r.GetPKIDocument != nil {
		return r.GetPKIDocument.QueryID
	}
	return nil
}

// SetQueryID sets the query ID of r's operation; it reports false when
// the operation has none.
func (r *Request99) SetQueryID(q QueryID) bool {
	if r.GetPKIDocument != nil {
		r.GetPKIDocument.QueryID = &q
		return true
	}
	return false
}

// ExpectedReply returns the kind of reply r's operation gets.
func (r *Request99) ExpectedReply() ReplyKind {
	if r.GetPKIDocument != nil {
		return ReplyGetPKIDocument
	}
	return ReplyNone
}

// OperationName returns the wire name of r's operation ("" if none).
func (r *Request99) OperationName() string {
	switch {
	case r.GetPKIDocument != nil:
		return "get_pki_document"
	case r.SendMessage != nil:
		return "send_message"
	case r.SessionToken != nil:
		return "session_token"
	case r.ThinClose != nil:
		return "thin_close"
	}
	return ""
}

// QueryReply returns, for a reply to a query, its kind and query ID, and
// ReplyNone otherwise.
func (r *Response) QueryReply() (ReplyKind, *QueryID) {
	if r.GetPKIDocumentReply != nil {
		return ReplyGetPKIDocument, r.GetPKIDocumentReply.QueryID
	}
	return ReplyNone, nil
}
