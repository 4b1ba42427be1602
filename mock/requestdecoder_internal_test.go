package mock

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/katzenthin/katzenthin/wire"
)

// The fast request decoder must give what the general one gives whenever
// it takes a request: checked on the requests clients send, on odd but
// valid shapes, and by fuzzing.

func requestSeeds(tb testing.TB) (v47, v99 [][]byte) {
	tb.Helper()
	id := wire.MessageID{1, 2, 3}
	surb := wire.SURBID{4, 5, 6}
	tok := wire.Token{7}
	q := wire.QueryID{8}
	hash := make([]byte, 32)
	for _, r := range []wire.Request{
		{IsSendOp: true, WithSURB: true, SURBID: &surb, DestinationIDHash: hash, RecipientQueueID: []byte("+echo"), Payload: []byte("hello")},
		{IsSendOp: true, SURBID: &surb, DestinationIDHash: hash, RecipientQueueID: []byte("+echo"), Payload: []byte{}},
		{IsARQSendOp: true, WithSURB: true, ID: &id, DestinationIDHash: hash, RecipientQueueID: []byte("+echo"), Payload: make([]byte, 2000)},
		{IsThinClose: true},
		{IsLoopDecoy: true},
		{IsDropDecoy: true},
		{},
		{IsSendOp: true, IsThinClose: true, Payload: nil, DestinationIDHash: []byte{}},
	} {
		v47 = append(v47, r.Marshal())
	}
	for _, r := range []wire.Request99{
		{SendMessage: &wire.SendMessage{WithSURB: true, SURBID: &surb, DestinationIDHash: hash, RecipientQueueID: []byte("+echo"), Payload: []byte("hi")}},
		{SendMessage: &wire.SendMessage{ID: &id, SURBID: &surb, Payload: []byte{}}},
		{SendMessage: &wire.SendMessage{}},
		{SessionToken: &wire.SessionToken{ClientInstanceToken: &tok}},
		{SessionToken: &wire.SessionToken{}},
		{GetPKIDocument: &wire.GetPKIDocument{QueryID: &q, Epoch: 12345}},
		// Pigeonhole operations: the fast path declines them to the
		// general decoder.
		{NewKeypair: &wire.NewKeypair{QueryID: &q, Seed: hash}},
		{StartResendingEncryptedMessage: &wire.StartResendingEncryptedMessage{QueryID: &q, ReadCap: make([]byte, 136),
			MessageBoxIndex: make([]byte, 104), EnvelopeDescriptor: []byte{1}, MessageCiphertext: []byte{2},
			EnvelopeHash: hash, NoRetryOnBoxIDNotFound: true}},
		{CreateCourierEnvelopesFromMultiPayload: &wire.CreateCourierEnvelopesFromMultiPayload{QueryID: &q,
			Destinations: []wire.CourierDestination{{Payload: []byte{}, WriteCap: make([]byte, 168)}}, IsLast: true}},
		{CancelResendingCopyCommand: &wire.CancelResendingCopyCommand{QueryID: &q, WriteCapHash: hash}},
		{GetPKIDocument: &wire.GetPKIDocument{Epoch: 1 << 40}},
		{ThinClose: &wire.ThinClose{}},
		{},
		{SendMessage: &wire.SendMessage{ID: &id}, GetPKIDocument: &wire.GetPKIDocument{QueryID: &q}, SessionToken: &wire.SessionToken{ClientInstanceToken: &tok}},
	} {
		v99 = append(v99, r.Marshal())
	}
	// Python-style requests: only the keys needed, in another order, and
	// odd but valid forms the fast path must decline or get right.
	for _, v := range []any{
		map[string]any{"payload": []byte("x"), "surbid": surb[:], "is_send_op": true, "with_surb": true},
		map[string]any{"is_thin_close": true, "unknown": nil},
		map[string]any{"is_thin_close": true, "unknown": 1},
		map[string]any{"IS_THIN_CLOSE": true},
		map[string]any{"surbid": []byte{1, 2}},
		map[string]any{"with_surb": nil, "is_send_op": 1},
		map[int]any{1: true},
		[]any{true},
	} {
		v47 = append(v47, mustCBOR(tb, v))
	}
	for _, v := range []any{
		map[string]any{"send_message": map[string]any{"payload": []byte("x"), "with_surb": true}},
		map[string]any{"thin_close": map[string]any{"x": 1}},
		map[string]any{"thin_close": map[string]any{}},
		map[string]any{"get_pki_document": map[string]any{"epoch": -1}},
		map[string]any{"new_keypair": map[string]any{"seed": []byte{1}}},
		map[string]any{"session_token": map[string]any{"client_instance_token": nil}},
	} {
		v99 = append(v99, mustCBOR(tb, v))
	}
	// Duplicate keys, indefinite lengths, trailing bytes.
	v47 = append(v47,
		[]byte{0xa2, 0x6a, 'i', 's', '_', 's', 'e', 'n', 'd', '_', 'o', 'p', 0xf5, 0x6a, 'i', 's', '_', 's', 'e', 'n', 'd', '_', 'o', 'p', 0xf4},
		[]byte{0xbf, 0x6d, 'i', 's', '_', 't', 'h', 'i', 'n', '_', 'c', 'l', 'o', 's', 'e', 0xf5, 0xff},
		append(append([]byte(nil), v47[3]...), 0x00),
		[]byte{0xa1, 0x67, 'p', 'a', 'y', 'l', 'o', 'a', 'd', 0x5f, 0x41, 'a', 0xff},
		[]byte{0xa1, 0x62, 0xff, 0xfe, 0xf6},
	)
	// The captured frames (testdata/ at the repository's root).
	for _, dir := range []struct {
		gen   string
		files []string
		into  *[][]byte
	}{
		{"47", []string{"request-send-arq", "request-send-noreply", "request-send-surb", "request-thin-close"}, &v47},
		{"99", []string{"request-03-session_token", "request-05-get_pki_document", "request-07-send_message-surb",
			"request-10-send_message-nosurb", "request-14-thin_close", "request-legacy47-03-v0.0.47_send_surb"}, &v99},
	} {
		for _, f := range dir.files {
			b, err := os.ReadFile(filepath.Join("..", "testdata", "daemon-v0.0."+dir.gen, f+".cbor"))
			if err != nil {
				tb.Fatalf("capture %s: %v", f, err)
			}
			*dir.into = append(*dir.into, b)
		}
	}
	return v47, v99
}

func mustCBOR(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := cbor.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// check47 decodes body both ways. It reports whether the fast path took
// it.
func check47(t *testing.T, body []byte) bool {
	t.Helper()
	var want wire.Request
	wantErr := wire.DecodeRequest(body, &want)
	var d requestDecoder
	var got wire.Request
	c := cursor{b: body, ok: true}
	if !d.request47(&c, &got) || !c.done() {
		return false
	}
	if wantErr != nil {
		t.Fatalf("%x: the fast path took what the general decoder refuses: %v", body, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%x:\nfast    %+v\ngeneral %+v", body, got, want)
	}
	return true
}

func check99(t *testing.T, body []byte) bool {
	t.Helper()
	var want wire.Request99
	wantErr := wire.DecodeRequest99(body, &want)
	var d requestDecoder
	var got wire.Request99
	c := cursor{b: body, ok: true}
	if !d.request99(&c, &got) || !c.done() {
		return false
	}
	if wantErr != nil {
		t.Fatalf("%x: the fast path took what the general decoder refuses: %v", body, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%x:\nfast    %+v\ngeneral %+v", body, got, want)
	}
	return true
}

func TestRequestDecoderAgrees(t *testing.T) {
	v47, v99 := requestSeeds(t)
	fast := 0
	for _, b := range v47 {
		if check47(t, b) {
			fast++
		}
	}
	for _, b := range v99 {
		if check99(t, b) {
			fast++
		}
	}
	// What clients send goes the fast way.
	if fast < 20 {
		t.Fatalf("only %d of %d requests took the fast path", fast, len(v47)+len(v99))
	}
	// And through the decoder's entry points, with the general fallback.
	var d requestDecoder
	for _, b := range v47 {
		var got, want wire.Request
		gotErr, wantErr := d.decode47(b, &got), wire.DecodeRequest(b, &want)
		if (gotErr == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("%x: %v %+v, want %v %+v", b, gotErr, got, wantErr, want)
		}
	}
	for _, b := range v99 {
		var got, want wire.Request99
		gotErr, wantErr := d.decode99(b, &got), wire.DecodeRequest99(b, &want)
		if (gotErr == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("%x: %v %+v, want %v %+v", b, gotErr, got, wantErr, want)
		}
	}
}

// The payload is the caller's own memory; the rest are views.
func TestRequestDecoderPayloadIsACopy(t *testing.T) {
	surb := wire.SURBID{1}
	body := (&wire.Request{IsSendOp: true, WithSURB: true, SURBID: &surb, Payload: []byte("payload")}).Marshal()
	var d requestDecoder
	var r wire.Request
	if err := d.decode47(body, &r); err != nil {
		t.Fatal(err)
	}
	clear(body)
	if string(r.Payload) != "payload" || *r.SURBID != surb {
		t.Fatalf("request changed with its frame: %+v", r)
	}
}

func TestRequestDecoderAllocations(t *testing.T) {
	surb := wire.SURBID{1}
	body := (&wire.Request{IsSendOp: true, WithSURB: true, SURBID: &surb,
		DestinationIDHash: make([]byte, 32), RecipientQueueID: []byte("+echo"), Payload: make([]byte, 64)}).Marshal()
	var d requestDecoder
	var r wire.Request
	if n := testing.AllocsPerRun(100, func() { d.decode47(body, &r) }); n != 1 {
		t.Fatalf("%v allocations, want 1 (the payload)", n)
	}
}

func FuzzRequestDecoder47(f *testing.F) {
	v47, _ := requestSeeds(f)
	for _, b := range v47 {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { check47(t, b) })
}

func FuzzRequestDecoder99(f *testing.F) {
	_, v99 := requestSeeds(f)
	for _, b := range v99 {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { check99(t, b) })
}

// BenchmarkrequestDecoder compares the fast path with the general
// decoder it stands in for, on a 64-byte SURB send.
func BenchmarkRequestDecoder(b *testing.B) {
	surb := wire.SURBID{1}
	payload := make([]byte, 64)
	hash := make([]byte, 32)
	v47 := (&wire.Request{IsSendOp: true, WithSURB: true, SURBID: &surb,
		DestinationIDHash: hash, RecipientQueueID: []byte("+echo"), Payload: payload}).Marshal()
	v99 := (&wire.Request99{SendMessage: &wire.SendMessage{WithSURB: true, SURBID: &surb,
		DestinationIDHash: hash, RecipientQueueID: []byte("+echo"), Payload: payload}}).Marshal()
	var d requestDecoder
	var r47 wire.Request
	var r99 wire.Request99
	for _, bc := range []struct {
		name string
		body []byte
		fn   func([]byte) error
	}{
		{"v0.0.47/fast", v47, func(b []byte) error { return d.decode47(b, &r47) }},
		{"v0.0.47/wire", v47, func(b []byte) error { return wire.DecodeRequest(b, &r47) }},
		{"v0.0.99/fast", v99, func(b []byte) error { return d.decode99(b, &r99) }},
		{"v0.0.99/wire", v99, func(b []byte) error { return wire.DecodeRequest99(b, &r99) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.fn(bc.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
