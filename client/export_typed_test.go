package client

// The reply decoder of Call, for the fuzz test, at a few response types.
var (
	DecodeReplyString = decodeReply[string]
	DecodeReplyAny    = decodeReply[any]
	DecodeReplyStruct = decodeReply[struct {
		Name  string         `cbor:"name"`
		Items []int          `cbor:"items"`
		Meta  map[string]any `cbor:"meta"`
	}]
)
