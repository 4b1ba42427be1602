package wire

import "strconv"

// ErrorCode is a v0.0.99 thin-client error code; 0 is success.
type ErrorCode uint8

// The thin-client error codes this SDK maps to its own errors
// (docs/protocol.md 8); other values are passed through.
const (
	ErrorCodeSuccess            ErrorCode = 0
	ErrorCodeConnectionLost     ErrorCode = 1
	ErrorCodeTimeout            ErrorCode = 2
	ErrorCodeInvalidRequest     ErrorCode = 3
	ErrorCodeInternalError      ErrorCode = 4
	ErrorCodeMaxRetries         ErrorCode = 5
	ErrorCodeInvalidPayload     ErrorCode = 9
	ErrorCodeServiceUnavailable ErrorCode = 10
	ErrorCodePayloadTooLarge    ErrorCode = 27
)

var errorCodeNames = map[ErrorCode]string{
	ErrorCodeSuccess:            "success",
	ErrorCodeConnectionLost:     "connection lost",
	ErrorCodeTimeout:            "timeout",
	ErrorCodeInvalidRequest:     "invalid request",
	ErrorCodeInternalError:      "internal error",
	ErrorCodeMaxRetries:         "max retries",
	ErrorCodeInvalidPayload:     "invalid payload",
	ErrorCodeServiceUnavailable: "service unavailable",
	ErrorCodePayloadTooLarge:    "payload too large",
}

// String names the code, or gives its number when unknown.
func (c ErrorCode) String() string {
	if s, ok := errorCodeNames[c]; ok {
		return s
	}
	return "error code " + strconv.Itoa(int(c))
}
