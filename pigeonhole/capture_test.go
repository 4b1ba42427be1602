package pigeonhole_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/wire"
)

func capturedRequest(t *testing.T, rel string) *wire.Request99 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "daemon-v0.0.99", "pigeonhole", rel))
	if err != nil {
		t.Fatal(err)
	}
	var r wire.Request99
	if err := wire.DecodeRequest99(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func capturedResponse(t *testing.T, rel string) *wire.Response {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "daemon-v0.0.99", "pigeonhole", rel))
	if err != nil {
		t.Fatal(err)
	}
	var r wire.Response
	if err := wire.DecodeResponse(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// The real daemon's caps obey the relations the types compute, and the
// Go client's copy-command cancel handle is WriteCap.Hash.
func TestCapturedCaps(t *testing.T) {
	kp := capturedResponse(t, "a-write-read/conn01/06-d2c-new_keypair_reply.cbor").NewKeypairReply
	var w pigeonhole.WriteCap
	var r pigeonhole.ReadCap
	var first pigeonhole.MessageBoxIndex
	if w.UnmarshalBinary(kp.WriteCap) != nil || r.UnmarshalBinary(kp.ReadCap) != nil || first.UnmarshalBinary(kp.FirstMessageIndex) != nil {
		t.Fatal("captured caps do not fit the types")
	}
	if w.ReadCap() != r || w.FirstIndex() != first || r.FirstIndex() != first || first.Counter() != 3102217582690729271 {
		t.Fatal("captured caps break the relations")
	}
	start := capturedRequest(t, "i-copy-cancel/conn01/07-c2d-start_resending_copy_command.cbor").StartResendingCopyCommand
	cancel := capturedRequest(t, "i-copy-cancel/conn01/09-c2d-cancel_resending_copy_command.cbor").CancelResendingCopyCommand
	var tmp pigeonhole.WriteCap
	if err := tmp.UnmarshalBinary(start.WriteCap); err != nil {
		t.Fatal(err)
	}
	if h := tmp.Hash(); string(h[:]) != string(cancel.WriteCapHash) {
		t.Fatal("WriteCap.Hash is not the captured write_cap_hash")
	}
}
