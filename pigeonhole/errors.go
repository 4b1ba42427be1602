package pigeonhole

import (
	"errors"
	"strconv"

	"github.com/katzenthin/katzenthin/wire"
)

// Sentinels for the expected outcomes of box operations (docs/protocol.md 9.5,
// 9.12), matched with errors.Is against an *Error.
var (
	// ErrBoxNotFound: nothing is written in the box yet (replica code 1;
	// only reads with the no-retry flag get it, others wait).
	ErrBoxNotFound = errors.New("pigeonhole: box not found")
	// ErrBoxAlreadyExists: a different payload is already in the box
	// (replica code 10; only writes with the no-idempotent flag get it).
	ErrBoxAlreadyExists = errors.New("pigeonhole: box already exists")
	// ErrTombstone: the box was deliberately deleted (replica code 11).
	ErrTombstone = errors.New("pigeonhole: box is a tombstone")
	// ErrCancelled: the operation was cancelled (thin-client code 24).
	ErrCancelled = errors.New("pigeonhole: operation cancelled")
	// ErrCopyFailed: the courier reported a failed copy command
	// (thin-client code 26).
	ErrCopyFailed = errors.New("pigeonhole: copy command failed")
	// ErrInvalidRequest: the daemon refused the request's fields
	// (thin-client code 3).
	ErrInvalidRequest = errors.New("pigeonhole: invalid request")
	// ErrInternal: the daemon could not do it (thin-client code 4: no PKI
	// document, too few replicas, no courier, a crypto failure).
	ErrInternal = errors.New("pigeonhole: daemon internal error")
	// ErrInvalidLength: a capability, index or other fixed-size value of
	// the wrong size.
	ErrInvalidLength = errors.New("pigeonhole: invalid length")
)

// Namespace says whose error code an *Error carries: the reply field
// mixes the daemon's own codes with codes it copies from replicas and
// (remapped) couriers.
type Namespace uint8

// The namespaces of docs/protocol.md 9.5.
const (
	NamespaceThinClient Namespace = iota // the daemon's own codes
	NamespaceReplica                     // a storage replica's codes (1-11)
	NamespaceCourier                     // courier codes, as the daemon remaps them (12, 13, 31, 32)
)

// String names the namespace.
func (n Namespace) String() string {
	switch n {
	case NamespaceThinClient:
		return "thin client"
	case NamespaceReplica:
		return "replica"
	case NamespaceCourier:
		return "courier"
	}
	return "namespace " + strconv.Itoa(int(n))
}

// Error is a non-zero error code of a Pigeonhole reply, in its namespace.
// For a failed copy command (Code 26, thin client) ReplicaCode is the
// replica's code (0: no replica answered) and FailedEnvelope the 1-based
// position of the failing envelope in the copy stream (0: unknown).
type Error struct {
	Code           uint8
	Namespace      Namespace
	ReplicaCode    uint8
	FailedEnvelope uint64
}

// Error names the code and its namespace.
func (e *Error) Error() string {
	s := "pigeonhole: " + e.Namespace.String() + " error " + strconv.Itoa(int(e.Code))
	if name := codeName(e.Namespace, e.Code); name != "" {
		s += " (" + name + ")"
	}
	if e.ReplicaCode != 0 {
		s += ", replica error " + strconv.Itoa(int(e.ReplicaCode))
		if name := codeName(NamespaceReplica, e.ReplicaCode); name != "" {
			s += " (" + name + ")"
		}
	}
	if e.FailedEnvelope != 0 {
		s += " at envelope " + strconv.FormatUint(e.FailedEnvelope, 10)
	}
	return s
}

// Unwrap returns the sentinel the code stands for, nil if none.
func (e *Error) Unwrap() error {
	switch e.Namespace {
	case NamespaceReplica:
		switch e.Code {
		case 1:
			return ErrBoxNotFound
		case 10:
			return ErrBoxAlreadyExists
		case 11:
			return ErrTombstone
		}
	case NamespaceThinClient:
		switch e.Code {
		case 3:
			return ErrInvalidRequest
		case 4:
			return ErrInternal
		case 24:
			return ErrCancelled
		case 26:
			return ErrCopyFailed
		}
	}
	return nil
}

// Is reports whether target is an *Error with the same code and namespace
// (the copy details aside), so that errors.Is(err, &Error{Code: 25}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Namespace == e.Namespace
}

// MessageError maps the error_code of a
// start_resending_encrypted_message_reply to an error: nil for 0, codes
// 1-11 in the replica namespace (the daemon copies them unchanged, though
// 3 and 4 may be its own), 12, 13, 31 and 32 in the courier namespace, the
// rest in the thin-client namespace (docs/protocol.md 9.5, 9.12).
func MessageError(code wire.ErrorCode) error {
	c := uint8(code)
	switch {
	case c == 0:
		return nil
	case c <= 11:
		return &Error{Code: c, Namespace: NamespaceReplica}
	case c == 12, c == 13, c == 31, c == 32:
		return &Error{Code: c, Namespace: NamespaceCourier}
	}
	return &Error{Code: c, Namespace: NamespaceThinClient}
}

// CopyError maps a start_resending_copy_command_reply to an error: nil
// for 0; otherwise a thin-client *Error carrying the replica code and the
// failing envelope's position.
func CopyError(code wire.ErrorCode, replicaCode uint8, failedEnvelope uint64) error {
	if code == 0 {
		return nil
	}
	return &Error{Code: uint8(code), Namespace: NamespaceThinClient, ReplicaCode: replicaCode, FailedEnvelope: failedEnvelope}
}

// LocalError maps the error_code of any other Pigeonhole reply (local
// requests and cancels, whose codes are all the daemon's own) to an
// error: nil for 0.
func LocalError(code wire.ErrorCode) error {
	if code == 0 {
		return nil
	}
	return &Error{Code: uint8(code), Namespace: NamespaceThinClient}
}

var replicaNames = [...]string{"", "box not found", "invalid box ID", "invalid signature", "database failure",
	"invalid payload", "storage full", "replica internal error", "invalid epoch", "replication failed",
	"box already exists", "tombstone"}

var thinClientNames = map[uint8]string{
	1: "connection lost", 2: "timeout", 3: "invalid request", 4: "internal error", 5: "max retries",
	6: "invalid channel", 7: "channel not found", 8: "permission denied", 9: "invalid payload",
	10: "service unavailable", 11: "duplicate capability", 14: "invalid write capability",
	15: "invalid read capability", 16: "invalid resume write channel request",
	17: "invalid resume read channel request", 18: "impossible hash", 19: "impossible new write cap",
	20: "impossible new stateful writer", 21: "capability already in use", 22: "MKEM decryption failed",
	23: "BACAP decryption failed", 24: "cancelled", 25: "invalid tombstone signature",
	26: "copy command failed", 27: "payload too large", 28: "voucher hash mismatch",
	29: "voucher signature invalid", 30: "voucher seal open failed",
}

var courierNames = map[uint8]string{
	12: "courier cache corruption", 13: "propagation error", 31: "courier invalid envelope", 32: "courier invalid epoch",
}

func codeName(n Namespace, c uint8) string {
	switch n {
	case NamespaceReplica:
		if int(c) < len(replicaNames) {
			return replicaNames[c]
		}
	case NamespaceCourier:
		return courierNames[c]
	case NamespaceThinClient:
		return thinClientNames[c]
	}
	return ""
}
