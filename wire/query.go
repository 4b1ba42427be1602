package wire

// OperationName returns the wire name of r's operation, e.g.
// "get_pki_document", or "" when r has none.
func (r *Request99) OperationName() string {
	if _, i := r.firstOp(); i >= 0 {
		return request99Keys[i]
	}
	return ""
}
