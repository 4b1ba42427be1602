package wire_test

import "testing"

// TestDecoderDuplicateEventKey: the general decoder keeps the first of
// duplicate keys; the fast one must agree (a null then an event).
func TestDecoderDuplicateEventKey(t *testing.T) {
	reply := append([]byte{0xa1}, cborText("surbid")...)
	reply = append(reply, 0x50)
	reply = append(reply, make([]byte, 16)...)
	body := append([]byte{0xa2}, cborText("message_reply_event")...)
	body = append(body, 0xf6)
	body = append(body, cborText("message_reply_event")...)
	body = append(body, reply...)
	checkDecoderAgrees(t, body)
}
