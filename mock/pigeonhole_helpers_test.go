package mock_test

import (
	"crypto/rand"
	"encoding/binary"
	"testing"

	"golang.org/x/crypto/blake2b"

	"github.com/katzenthin/katzenthin/wire"
)

// send writes req with a fresh query ID and returns the ID.
func (c *client) send(req wire.Request99) wire.QueryID {
	c.t.Helper()
	q := wire.NewQueryID()
	if !req.SetQueryID(q) {
		c.t.Fatal("request without a query ID")
	}
	c.write(req.AppendFrame(nil))
	return q
}

// reply reads the next query reply (skipping documents and status
// events) and checks its kind and query ID.
func (c *client) reply(kind wire.ReplyKind, q wire.QueryID) *wire.Response {
	c.t.Helper()
	for {
		r := c.next()
		k, id := r.QueryReply()
		if k == wire.ReplyNone {
			if r.NewPKIDocument != nil || r.ConnectionStatus != nil {
				continue
			}
			c.t.Fatalf("want %v, got %s", kind, describe(r))
		}
		if k != kind || *id != q {
			c.t.Fatalf("want %v for %v, got %v for %v", kind, q, k, id)
		}
		return r
	}
}

// call sends req and reads its reply.
func (c *client) call(req wire.Request99) *wire.Response {
	c.t.Helper()
	q := c.send(req)
	return c.reply(req.ExpectedReply(), q)
}

func code(t testing.TB, r *wire.Response) wire.ErrorCode {
	t.Helper()
	c, ok := r.ErrorCode()
	if !ok {
		t.Fatal("no error code")
	}
	return c
}

// stream is a BACAP stream as the client holds it.
type stream struct{ w, r, first []byte }

func (c *client) keypair() stream {
	c.t.Helper()
	seed := make([]byte, 32)
	rand.Read(seed)
	kp := c.call(wire.Request99{NewKeypair: &wire.NewKeypair{Seed: seed}}).NewKeypairReply
	if kp.ErrorCode != 0 || len(kp.WriteCap) != 168 || len(kp.ReadCap) != 136 || len(kp.FirstMessageIndex) != 104 {
		c.t.Fatalf("new_keypair: %+v", kp.ErrorCode)
	}
	return stream{kp.WriteCap, kp.ReadCap, kp.FirstMessageIndex}
}

func (c *client) encryptWrite(w, index, plaintext []byte) *wire.EncryptWriteReply {
	c.t.Helper()
	r := c.call(wire.Request99{EncryptWrite: &wire.EncryptWrite{Plaintext: plaintext, WriteCap: w, MessageBoxIndex: index}}).EncryptWriteReply
	if r.ErrorCode != 0 {
		c.t.Fatalf("encrypt_write: %v", r.ErrorCode)
	}
	return r
}

func (c *client) encryptRead(r, index []byte) *wire.EncryptReadReply {
	c.t.Helper()
	er := c.call(wire.Request99{EncryptRead: &wire.EncryptRead{ReadCap: r, MessageBoxIndex: index}}).EncryptReadReply
	if er.ErrorCode != 0 {
		c.t.Fatalf("encrypt_read: %v", er.ErrorCode)
	}
	return er
}

// startWrite starts the write of an encrypted box.
func (c *client) startWrite(w []byte, ew *wire.EncryptWriteReply, noIdempotent bool) (wire.QueryID, *wire.Request99) {
	c.t.Helper()
	var zero uint8
	req := &wire.Request99{StartResendingEncryptedMessage: &wire.StartResendingEncryptedMessage{
		WriteCap: w, ReplyIndex: &zero, EnvelopeDescriptor: ew.EnvelopeDescriptor,
		MessageCiphertext: ew.MessageCiphertext, EnvelopeHash: ew.EnvelopeHash, NoIdempotentBoxAlreadyExists: noIdempotent}}
	return c.send(*req), req
}

// startRead starts the read of the box at index.
func (c *client) startRead(r, index []byte, er *wire.EncryptReadReply, noRetry bool) wire.QueryID {
	c.t.Helper()
	var zero uint8
	return c.send(wire.Request99{StartResendingEncryptedMessage: &wire.StartResendingEncryptedMessage{
		ReadCap: r, MessageBoxIndex: index, ReplyIndex: &zero, EnvelopeDescriptor: er.EnvelopeDescriptor,
		MessageCiphertext: er.MessageCiphertext, EnvelopeHash: er.EnvelopeHash, NoRetryOnBoxIDNotFound: noRetry}})
}

func (c *client) startReply(q wire.QueryID) *wire.StartResendingEncryptedMessageReply {
	c.t.Helper()
	return c.reply(wire.ReplyStartResendingEncryptedMessage, q).StartResendingEncryptedMessageReply
}

// write writes plaintext to the box at index and checks the outcome.
func (c *client) writeBox(w, index, plaintext []byte) (next []byte) {
	c.t.Helper()
	ew := c.encryptWrite(w, index, plaintext)
	q, _ := c.startWrite(w, ew, false)
	if r := c.startReply(q); r.ErrorCode != 0 || r.Plaintext != nil || len(r.CourierIdentityHash) != 32 || string(r.CourierQueueID) != "courier" {
		c.t.Fatalf("write: %+v", r)
	}
	return ew.NextMessageBoxIndex
}

// readBox reads the box at index, waiting for it, and returns the reply.
func (c *client) readBox(r, index []byte, noRetry bool) *wire.StartResendingEncryptedMessageReply {
	c.t.Helper()
	er := c.encryptRead(r, index)
	return c.startReply(c.startRead(r, index, er, noRetry))
}

func (c *client) cancelMessage(hash []byte) wire.QueryID {
	c.t.Helper()
	return c.send(wire.Request99{CancelResendingEncryptedMessage: &wire.CancelResendingEncryptedMessage{EnvelopeHash: hash}})
}

func (c *client) expectCancelled(start, cancel wire.QueryID) {
	c.t.Helper()
	// The cancelled start's reply comes first, under its own query ID.
	if r := c.startReply(start); r.ErrorCode != 24 || r.Plaintext != nil {
		c.t.Fatalf("cancelled start: %+v", r)
	}
	if r := c.reply(wire.ReplyCancelResendingEncryptedMessage, cancel); code(c.t, r) != 0 {
		c.t.Fatal("cancel reply")
	}
}

func counter(index []byte) uint64 { return binary.LittleEndian.Uint64(index) }

func writeCapHash(w []byte) []byte {
	h := blake2b.Sum256(w)
	return h[:]
}

// checkElements checks the copy-stream element layout of 9.3.
func checkElements(t *testing.T, elems [][]byte, first, last bool) {
	t.Helper()
	for i, e := range elems {
		if len(e) < 5 || len(e) > 1549 || int(binary.BigEndian.Uint32(e[1:5])) != len(e)-5 {
			t.Fatalf("element %d: %d bytes", i, len(e))
		}
		want := byte(0)
		if first && i == 0 {
			want |= 1
		}
		if last && i == len(elems)-1 {
			want |= 2
		}
		if e[0] != want {
			t.Errorf("element %d of %d: flags %x, want %x", i, len(elems), e[0], want)
		}
	}
}

// writeElements writes copy-stream elements to consecutive boxes of the
// temporary stream tmp, all at once (concurrent starts), and waits for
// every write.
func (c *client) writeElements(tmp stream, elems [][]byte) {
	c.t.Helper()
	idx := tmp.first
	var encrypted []*wire.EncryptWriteReply
	for _, e := range elems {
		ew := c.encryptWrite(tmp.w, idx, e)
		encrypted = append(encrypted, ew)
		idx = ew.NextMessageBoxIndex
	}
	pending := map[wire.QueryID]bool{}
	for _, ew := range encrypted {
		q, _ := c.startWrite(tmp.w, ew, false)
		pending[q] = true
	}
	for len(pending) > 0 {
		r := c.next()
		k, q := r.QueryReply()
		if k != wire.ReplyStartResendingEncryptedMessage || !pending[*q] || code(c.t, r) != 0 {
			c.t.Fatalf("temp write: %s", describe(r))
		}
		delete(pending, *q)
	}
}

func (c *client) readAll(s stream, n int) []byte {
	c.t.Helper()
	var out []byte
	idx := s.first
	for range n {
		er := c.encryptRead(s.r, idx)
		r := c.startReply(c.startRead(s.r, idx, er, true))
		if r.ErrorCode != 0 {
			c.t.Fatalf("read: %v", r.ErrorCode)
		}
		out = append(out, r.Plaintext...)
		idx = er.NextMessageBoxIndex
	}
	return out
}
