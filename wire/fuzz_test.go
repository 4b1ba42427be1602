package wire_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/wire"
)

// fuzzLimit keeps the frame fuzzer's allocations small.
const fuzzLimit = 1 << 16

func seedFrames(f *testing.F, requests bool) {
	for _, gen := range []string{"47", "99"} {
		for name, body := range capturedAll(f, gen) {
			if strings.HasPrefix(name, "request") == requests {
				f.Add(body)
			}
		}
	}
	// The Pigeonhole flows, without their 16 KiB documents.
	for _, frames := range pigeonholeConns(f) {
		for _, fr := range frames {
			if fr.c2d == requests && fr.variant() != "new_pki_document_event" {
				f.Add(fr.body)
			}
		}
	}
}

func FuzzReadFrame(f *testing.F) {
	for _, gen := range []string{"47", "99"} {
		for _, body := range capturedAll(f, gen) {
			if len(body) < fuzzLimit {
				f.Add(wire.AppendFrame(nil, body))
			}
		}
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, stream []byte) {
		// A bytes.Reader never blocks: every input ends in EOF.
		fr := wire.NewReader(bytes.NewReader(stream), fuzzLimit)
		consumed := 0
		for {
			body, err := fr.ReadFrame()
			if err != nil {
				if err != io.EOF && err != io.ErrUnexpectedEOF && !errors.Is(err, wire.ErrFrameTooLarge) {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if len(body) > fuzzLimit {
				t.Fatalf("%d-byte frame over the limit", len(body))
			}
			consumed += wire.HeaderSize + len(body)
			if consumed > len(stream) {
				t.Fatal("read more than the stream held")
			}
			var r wire.Response
			_ = wire.DecodeResponse(body, &r)
		}
	})
}

func FuzzDecodeResponse(f *testing.F) {
	seedFrames(f, false)
	f.Fuzz(func(t *testing.T, body []byte) {
		var r wire.Response
		if err := wire.DecodeResponse(body, &r); err != nil {
			if !errors.Is(err, wire.ErrMalformed) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// The routing helpers answer for anything that decodes.
		if kind, q := r.QueryReply(); (kind == wire.ReplyNone) != (q == nil && kind == wire.ReplyNone) {
			t.Fatalf("QueryReply %v %v", kind, q)
		}
		r.ErrorCode()
		ev, err := r.Event()
		if err != nil {
			return
		}
		// What decodes must re-encode, and re-decode to the same event.
		for _, g := range []wire.Generation{wire.Generation47, wire.Generation99} {
			var again wire.Response
			if err := wire.DecodeResponse(r.Marshal(g), &again); err != nil {
				t.Fatalf("re-encoded %T does not decode: %v", ev, err)
			}
		}
	})
}

func FuzzDecodeRequest(f *testing.F) {
	seedFrames(f, true)
	f.Fuzz(func(t *testing.T, body []byte) {
		var r wire.Request
		if err := wire.DecodeRequest(body, &r); err == nil {
			var again wire.Request
			if err := wire.DecodeRequest(r.Marshal(), &again); err != nil {
				t.Fatalf("re-encoded request does not decode: %v", err)
			}
		} else if !errors.Is(err, wire.ErrMalformed) {
			t.Fatalf("untyped error %v", err)
		}
		var r99 wire.Request99
		if err := wire.DecodeRequest99(body, &r99); err == nil {
			if (r99.ExpectedReply() == wire.ReplyNone) != (r99.QueryID() == nil && r99.ExpectedReply() == wire.ReplyNone) {
				t.Fatal("ExpectedReply and QueryID disagree")
			}
			var again wire.Request99
			if err := wire.DecodeRequest99(r99.Marshal(), &again); err != nil {
				t.Fatalf("re-encoded request does not decode: %v", err)
			}
		} else if !errors.Is(err, wire.ErrMalformed) {
			t.Fatalf("untyped error %v", err)
		}
	})
}
