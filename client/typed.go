package client

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/fxamacker/cbor/v2"

	"github.com/katzenthin/katzenthin/service"
)

// ErrBadReply is the error of a Call whose reply arrived but is not what
// the caller asked for: its first CBOR item does not decode into the
// response type. Call returns a *DecodeReplyError that matches it.
var ErrBadReply = errors.New("client: reply does not decode")

// DecodeReplyError says that the reply to a Call did not decode into the
// response type. errors.Is(err, ErrBadReply) holds, and Unwrap gives the
// CBOR decoder's error. It names the type and the reply's length, never
// the reply's bytes.
type DecodeReplyError struct {
	Type string // the response type, as %T would print it
	Len  int    // the padded reply's length in bytes
	Err  error  // the CBOR decoder's error
}

// Error names the type, the reply's length and the decoder's error.
func (e *DecodeReplyError) Error() string {
	return fmt.Sprintf("client: reply of %d bytes does not decode into %s: %v", e.Len, e.Type, e.Err)
}

// Unwrap returns the CBOR decoder's error.
func (e *DecodeReplyError) Unwrap() error { return e.Err }

// Is matches ErrBadReply.
func (e *DecodeReplyError) Is(target error) bool { return target == ErrBadReply }

// replyDecMode decodes replies with the library's limits on nesting and
// lengths, so a hostile service cannot make a reply allocate without
// bound beyond its own size; a bad reply is an error, never a panic.
var replyDecMode, _ = cbor.DecOptions{}.DecMode()

// Call is a typed Send for services that speak CBOR, as Katzenpost's
// services do: it encodes req as CBOR, sends it to dst with Send (so
// Send's errors and semantics hold), and decodes the reply's first CBOR
// item into a Resp. The rest of the reply is ignored: every reply comes
// zero-padded to the reply packet's size (a 5-byte echo returns 2,574
// bytes), and stripping the zeros by hand gets binary payloads wrong.
//
// A req that CBOR cannot encode fails before sending, wrapping
// ErrInvalidRequest; so does an encoding over the payload limit. A reply
// that does not decode into Resp is a *DecodeReplyError (ErrBadReply).
// Call is safe for concurrent use, as Send is. Use Send for raw bytes.
func Call[Resp any](ctx context.Context, c *Client, dst service.Destination, req any) (Resp, error) {
	var resp Resp
	payload, err := cbor.Marshal(req)
	if err != nil {
		return resp, fmt.Errorf("%w: request does not encode as CBOR: %w", ErrInvalidRequest, err)
	}
	reply, err := c.Send(ctx, dst, payload)
	if err != nil {
		return resp, err
	}
	return decodeReply[Resp](reply.Payload)
}

// decodeReply decodes the first CBOR item of a padded reply into a Resp.
func decodeReply[Resp any](payload []byte) (Resp, error) {
	var resp Resp
	if _, err := replyDecMode.UnmarshalFirst(payload, &resp); err != nil {
		return resp, &DecodeReplyError{Type: typeName[Resp](), Len: len(payload), Err: err}
	}
	return resp, nil
}

// typeName is T's name as %T prints it, also for interface types.
func typeName[T any]() string { return reflect.TypeFor[T]().String() }
