package pigeonhole_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/wire"
)

var sentinels = []error{pigeonhole.ErrBoxNotFound, pigeonhole.ErrBoxAlreadyExists, pigeonhole.ErrTombstone,
	pigeonhole.ErrCancelled, pigeonhole.ErrCopyFailed, pigeonhole.ErrInvalidRequest, pigeonhole.ErrInternal}

// checkSentinel: err matches want and no other sentinel.
func checkSentinel(t *testing.T, name string, err, want error) {
	t.Helper()
	for _, s := range sentinels {
		if errors.Is(err, s) != (s == want) {
			t.Errorf("%s: errors.Is(%v, %v) = %v", name, err, s, !(s == want))
		}
	}
}

func TestMessageErrorEveryCode(t *testing.T) {
	for c := 0; c < 256; c++ {
		err := pigeonhole.MessageError(wire.ErrorCode(c))
		if c == 0 {
			if err != nil {
				t.Fatal("success is an error")
			}
			continue
		}
		var e *pigeonhole.Error
		if !errors.As(err, &e) || int(e.Code) != c {
			t.Fatalf("code %d: %v", c, err)
		}
		want := pigeonhole.NamespaceThinClient
		var sentinel error
		switch {
		case c <= 11:
			want = pigeonhole.NamespaceReplica
			sentinel = map[int]error{1: pigeonhole.ErrBoxNotFound, 10: pigeonhole.ErrBoxAlreadyExists, 11: pigeonhole.ErrTombstone}[c]
		case c == 12 || c == 13 || c == 31 || c == 32:
			want = pigeonhole.NamespaceCourier
		case c == 24:
			sentinel = pigeonhole.ErrCancelled
		case c == 26:
			sentinel = pigeonhole.ErrCopyFailed
		}
		if e.Namespace != want {
			t.Errorf("code %d in namespace %v, want %v", c, e.Namespace, want)
		}
		checkSentinel(t, err.Error(), err, sentinel)
		if !strings.HasPrefix(err.Error(), "pigeonhole: "+want.String()) {
			t.Errorf("message %q", err)
		}
		if !errors.Is(err, &pigeonhole.Error{Code: uint8(c), Namespace: want}) || errors.Is(err, &pigeonhole.Error{Code: uint8(c) + 1, Namespace: want}) {
			t.Errorf("code %d: Is by code", c)
		}
	}
}

func TestCopyAndLocalErrors(t *testing.T) {
	if pigeonhole.CopyError(0, 0, 0) != nil || pigeonhole.LocalError(0) != nil {
		t.Fatal("success is an error")
	}
	err := pigeonhole.CopyError(26, 1, 3)
	var e *pigeonhole.Error
	if !errors.As(err, &e) || e.Code != 26 || e.ReplicaCode != 1 || e.FailedEnvelope != 3 || e.Namespace != pigeonhole.NamespaceThinClient {
		t.Fatalf("%+v", e)
	}
	checkSentinel(t, "copy 26", err, pigeonhole.ErrCopyFailed)
	if want := "pigeonhole: thin client error 26 (copy command failed), replica error 1 (box not found) at envelope 3"; err.Error() != want {
		t.Errorf("%q", err)
	}
	for code, want := range map[wire.ErrorCode]error{3: pigeonhole.ErrInvalidRequest, 4: pigeonhole.ErrInternal, 24: pigeonhole.ErrCancelled, 10: nil, 28: nil} {
		checkSentinel(t, "copy", pigeonhole.CopyError(code, 0, 0), want)
		checkSentinel(t, "local", pigeonhole.LocalError(code), want)
	}
}
