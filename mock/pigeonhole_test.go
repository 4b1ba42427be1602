package mock_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

// The flows of docs/protocol.md 9.11 against the mock, driven by raw frames.

// Flow (a): write, read back, index helpers, a no-idempotent rewrite.
func TestPigeonholeWriteRead(t *testing.T) {
	e := start(t, wire.Generation99)
	alice, bob := e.connect(nil), e.connect(nil)
	s := alice.keypair()
	if !bytes.Equal(s.w[64:], s.first) || !bytes.Equal(s.r[32:], s.first) || !bytes.Equal(s.w[32:64], s.r[:32]) {
		t.Fatal("caps break the 9.3 layout")
	}
	ew := alice.encryptWrite(s.w, s.first, []byte("hello pigeonhole"))
	if len(ew.MessageCiphertext) != 2000 || len(ew.EnvelopeDescriptor) != 201 || len(ew.EnvelopeHash) != 32 ||
		counter(ew.NextMessageBoxIndex) != counter(s.first)+1 || bytes.Contains(ew.MessageCiphertext, []byte("hello pigeonhole")) {
		t.Fatal("encrypt_write reply shape")
	}
	q, _ := alice.startWrite(s.w, ew, false)
	if r := alice.startReply(q); r.ErrorCode != 0 || r.Plaintext != nil {
		t.Fatalf("write: %+v", r)
	}
	er := bob.encryptRead(s.r, s.r[32:])
	if bytes.Equal(er.EnvelopeHash, ew.EnvelopeHash) || !bytes.Equal(er.NextMessageBoxIndex, ew.NextMessageBoxIndex) {
		t.Fatal("encrypt_read reply")
	}
	if r := bob.startReply(bob.startRead(s.r, s.first, er, false)); r.ErrorCode != 0 || string(r.Plaintext) != "hello pigeonhole" {
		t.Fatalf("read: %+v", r)
	}
	next := alice.call(wire.Request99{NextMessageBoxIndex: &wire.NextMessageBoxIndex{MessageBoxIndex: s.first}}).NextMessageBoxIndexReply
	if next.ErrorCode != 0 || !bytes.Equal(next.NextMessageBoxIndex, ew.NextMessageBoxIndex) {
		t.Fatal("next_message_box_index")
	}
	for _, idx := range [][]byte{s.first, next.NextMessageBoxIndex} {
		c := alice.call(wire.Request99{GetMessageBoxIndexCounter: &wire.GetMessageBoxIndexCounter{MessageBoxIndex: idx}}).GetMessageBoxIndexCounterReply
		if c.ErrorCode != 0 || c.Counter != counter(idx) {
			t.Fatalf("counter %d, want %d", c.Counter, counter(idx))
		}
	}
	// The same box again: another payload succeeds by default (nothing
	// changes), is 10 with the no-idempotent flag; the same payload is
	// success either way.
	other := alice.encryptWrite(s.w, s.first, []byte("different text"))
	q, _ = alice.startWrite(s.w, other, false)
	if r := alice.startReply(q); r.ErrorCode != 0 {
		t.Fatalf("default rewrite: %v", r.ErrorCode)
	}
	other = alice.encryptWrite(s.w, s.first, []byte("different text"))
	q, _ = alice.startWrite(s.w, other, true)
	if r := alice.startReply(q); r.ErrorCode != 10 || len(r.CourierIdentityHash) != 32 {
		t.Fatalf("no-idempotent rewrite: %v", r.ErrorCode)
	}
	same := alice.encryptWrite(s.w, s.first, []byte("hello pigeonhole"))
	q, _ = alice.startWrite(s.w, same, true)
	if r := alice.startReply(q); r.ErrorCode != 0 {
		t.Fatalf("identical rewrite: %v", r.ErrorCode)
	}
	if r := bob.readBox(s.r, s.first, true); string(r.Plaintext) != "hello pigeonhole" {
		t.Fatal("the box changed")
	}
}

// Flow (b): an empty box: no-retry gives 1; a default read waits until
// cancelled, and then its 24 comes before the cancel's 0.
func TestPigeonholeEmptyBox(t *testing.T) {
	e := start(t, wire.Generation99)
	c := e.connect(nil)
	s := c.keypair()
	if r := c.readBox(s.r, s.first, true); r.ErrorCode != 1 || r.Plaintext != nil {
		t.Fatalf("no-retry read: %+v", r)
	}
	er := c.encryptRead(s.r, s.first)
	start := c.startRead(s.r, s.first, er, false)
	e.sync()
	if st := e.d.PigeonholeStats(); st.InFlight != 1 {
		t.Fatalf("stats %+v", st)
	}
	c.expectCancelled(start, c.cancelMessage(er.EnvelopeHash))
	// Flow (c): a second cancel finds nothing and answers 0 alone.
	q := c.cancelMessage(er.EnvelopeHash)
	if r := c.reply(wire.ReplyCancelResendingEncryptedMessage, q); code(t, r) != 0 {
		t.Fatal("second cancel")
	}
	if st := e.d.PigeonholeStats(); st.InFlight != 0 || st.Cancels != 2 {
		t.Fatalf("stats %+v", st)
	}
}

// A default read of an empty box ends when another connection writes it.
func TestPigeonholeReadWaitsForWrite(t *testing.T) {
	e := start(t, wire.Generation99, mock.WithPigeonholeLatency(0, time.Millisecond))
	alice, bob := e.connect(nil), e.connect(nil)
	s := alice.keypair()
	er := bob.encryptRead(s.r, s.first)
	q := bob.startRead(s.r, s.first, er, false)
	e.sync()
	alice.writeBox(s.w, s.first, []byte("late"))
	if r := bob.startReply(q); r.ErrorCode != 0 || string(r.Plaintext) != "late" {
		t.Fatalf("%+v", r)
	}
}

// Flow (d): a payload larger than a box through a copy command.
func TestPigeonholeCopyCommand(t *testing.T) {
	e := start(t, wire.Generation99)
	c := e.connect(nil)
	dst, tmp := c.keypair(), c.keypair()
	payload := make([]byte, 5004)
	rand.Read(payload)
	binary.BigEndian.PutUint32(payload, 5000)
	fp := c.call(wire.Request99{CreateCourierEnvelopesFromPayload: &wire.CreateCourierEnvelopesFromPayload{
		Payload: payload, DestWriteCap: dst.w, DestStartIndex: dst.first, IsStart: true, IsLast: true}}).CreateCourierEnvelopesFromPayloadReply
	if fp.ErrorCode != 0 || len(fp.Envelopes) != 6 || counter(fp.NextDestIndex) != counter(dst.first)+4 {
		t.Fatalf("from_payload: %d elements, code %v", len(fp.Envelopes), fp.ErrorCode)
	}
	checkElements(t, fp.Envelopes, true, true)
	// As captured: 4 serialized envelopes of 2003 bytes in 5 full
	// elements of 1544 and a last one of 292.
	if last := fp.Envelopes[5]; len(last) != 5+292 || len(fp.Envelopes[0]) != 1549 {
		t.Errorf("element sizes %d, %d", len(fp.Envelopes[0]), len(last))
	}
	c.writeElements(tmp, fp.Envelopes)
	q := c.send(wire.Request99{StartResendingCopyCommand: &wire.StartResendingCopyCommand{WriteCap: tmp.w}})
	r := c.reply(wire.ReplyStartResendingCopyCommand, q).StartResendingCopyCommandReply
	if r.ErrorCode != 0 || r.ReplicaErrorCode != 0 || r.FailedEnvelopeIndex != 0 {
		t.Fatalf("copy: %+v", r)
	}
	if got := c.readAll(dst, 4); !bytes.Equal(got, payload) {
		t.Fatalf("read back %d bytes, want the %d written", len(got), len(payload))
	}
	// A fifth box was never written.
	if r := c.readBox(dst.r, fp.NextDestIndex, true); r.ErrorCode != 1 {
		t.Fatalf("box after the payload: %v", r.ErrorCode)
	}
}

// Flow (e).
func TestPigeonholeDirectoryAuthorities(t *testing.T) {
	e := start(t, wire.Generation99)
	r := e.connect(nil).call(wire.Request99{GetDirectoryAuthorities: &wire.GetDirectoryAuthorities{}}).GetDirectoryAuthoritiesReply
	if r.ErrorCode != 0 || len(r.Authorities) != 3 || r.Authorities[0].Identifier != "auth1" || len(r.Authorities[0].IdentityKeyHash) != 32 {
		t.Fatalf("%+v", r)
	}
}

// Flow (f), and the rest of the voucher choreography of 9.10 (c).
func TestPigeonholeVoucher(t *testing.T) {
	e := start(t, wire.Generation99)
	joiner, inductor := e.connect(nil), e.connect(nil)
	m := joiner.keypair()
	mint := joiner.call(wire.Request99{VoucherMint: &wire.VoucherMint{MessageWriteCap: m.w, DisplayName: "alice"}}).VoucherMintReply
	if mint.ErrorCode != 0 || len(mint.Voucher) != 32 || len(mint.VoucherPayload) != 457 || len(mint.VoucherWriteCap) != 168 ||
		len(mint.VoucherReadCap) != 136 || len(mint.VoucherSecretKey) != 162 || len(mint.VoucherPublicKey) != 160 {
		t.Fatal("voucher_mint sizes")
	}
	ds := inductor.call(wire.Request99{VoucherDeriveStream: &wire.VoucherDeriveStream{Voucher: mint.Voucher}}).VoucherDeriveStreamReply
	if ds.ErrorCode != 0 || !bytes.Equal(ds.VoucherWriteCap, mint.VoucherWriteCap) || !bytes.Equal(ds.VoucherReadCap, mint.VoucherReadCap) {
		t.Fatal("voucher_derive_stream differs from mint")
	}
	in := inductor.call(wire.Request99{VoucherInduct: &wire.VoucherInduct{Voucher: mint.Voucher, VoucherPayload: mint.VoucherPayload, WhoReply: []byte("who")}}).VoucherInductReply
	if in.ErrorCode != 0 || in.DisplayName != "alice" || len(in.MutatedMessageReadCap) != 136 || len(in.Salt) != 32 {
		t.Fatalf("voucher_induct %v", in.ErrorCode)
	}
	op := joiner.call(wire.Request99{VoucherOpen: &wire.VoucherOpen{VoucherSecretKey: mint.VoucherSecretKey, SealedReply: in.SealedReply, MessageWriteCap: m.w}}).VoucherOpenReply
	if op.ErrorCode != 0 || string(op.WhoReply) != "who" || !bytes.Equal(op.Salt, in.Salt) ||
		!bytes.Equal(op.MutatedMessageWriteCap[32:], in.MutatedMessageReadCap) {
		t.Fatalf("voucher_open %v", op.ErrorCode)
	}
}

// Flow (g): a cap of the wrong length closes the socket without a reply;
// the session survives, and it is no violation.
func TestPigeonholeBadLengthCloses(t *testing.T) {
	e := start(t, wire.Generation99)
	token := wire.NewToken()
	c := e.connect(&token)
	s := c.keypair()
	c.send(wire.Request99{EncryptRead: &wire.EncryptRead{ReadCap: make([]byte, 10), MessageBoxIndex: s.first}})
	c.expectEOF()
	c2 := e.dial().handshakeAnd()
	if reply, _ := c2.open(token); !reply.Resumed {
		t.Fatal("session not kept")
	}
	if len(e.d.Violations()) != 0 || e.d.PigeonholeStats().Closed != 1 {
		t.Fatalf("violations %v, stats %+v", e.d.Violations(), e.d.PigeonholeStats())
	}
}

// Flow (h): builders with a buffer, tombstone ranges, a cancel of an
// unknown copy, validation errors with null result fields.
func TestPigeonholeLocalExtras(t *testing.T) {
	e := start(t, wire.Generation99)
	c := e.connect(nil)
	a, b := c.keypair(), c.keypair()
	pa, pb := bytes.Repeat([]byte{0xa1}, 2000), bytes.Repeat([]byte{0xb2}, 1000)
	m1 := c.call(wire.Request99{CreateCourierEnvelopesFromMultiPayload: &wire.CreateCourierEnvelopesFromMultiPayload{
		Destinations: []wire.CourierDestination{{Payload: pa, WriteCap: a.w, StartIndex: a.first}, {Payload: pb, WriteCap: b.w, StartIndex: b.first}},
		IsStart:      true}}).CreateCourierEnvelopesFromMultiPayloadReply
	// As captured: 3 destination boxes give 3 full elements and a buffer
	// of 1377 bytes.
	if m1.ErrorCode != 0 || len(m1.Envelopes) != 3 || len(m1.Buffer) != 1377 || len(m1.NextDestIndices) != 2 ||
		counter(m1.NextDestIndices[0]) != counter(a.first)+2 || counter(m1.NextDestIndices[1]) != counter(b.first)+1 {
		t.Fatalf("multi 1: %v", m1.ErrorCode)
	}
	checkElements(t, m1.Envelopes, true, false)
	c3 := c.keypair()
	m2 := c.call(wire.Request99{CreateCourierEnvelopesFromMultiPayload: &wire.CreateCourierEnvelopesFromMultiPayload{
		Destinations: []wire.CourierDestination{{Payload: []byte("third"), WriteCap: c3.w, StartIndex: c3.first}},
		IsLast:       true, Buffer: m1.Buffer}}).CreateCourierEnvelopesFromMultiPayloadReply
	if m2.ErrorCode != 0 || m2.Buffer != nil || len(m2.Envelopes) == 0 {
		t.Fatal("multi 2")
	}
	checkElements(t, m2.Envelopes, false, true)
	// The two calls' elements form one copy stream that really copies.
	tmp := c.keypair()
	c.writeElements(tmp, append(m1.Envelopes, m2.Envelopes...))
	q := c.send(wire.Request99{StartResendingCopyCommand: &wire.StartResendingCopyCommand{WriteCap: tmp.w}})
	if r := c.reply(wire.ReplyStartResendingCopyCommand, q); code(t, r) != 0 {
		t.Fatal("multi copy")
	}
	if got := c.readAll(a, 2); !bytes.Equal(got, pa) {
		t.Fatal("first destination")
	}
	if got := c.readAll(c3, 1); string(got) != "third" {
		t.Fatal("third destination")
	}

	tr := c.call(wire.Request99{CreateCourierEnvelopesFromTombstoneRange: &wire.CreateCourierEnvelopesFromTombstoneRange{
		DestWriteCap: b.w, DestStartIndex: b.first, MaxCount: 2, IsStart: true, IsLast: true}}).CreateCourierEnvelopesFromTombstoneRangeReply
	if tr.ErrorCode != 0 || len(tr.Envelopes) == 0 || tr.Buffer != nil || counter(tr.NextDestIndex) != counter(b.first)+2 {
		t.Fatal("tombstone range 2")
	}
	checkElements(t, tr.Envelopes, true, true)
	tr0 := c.call(wire.Request99{CreateCourierEnvelopesFromTombstoneRange: &wire.CreateCourierEnvelopesFromTombstoneRange{
		DestWriteCap: b.w, DestStartIndex: b.first, MaxCount: 0, Buffer: []byte("dropped")}}).CreateCourierEnvelopesFromTombstoneRangeReply
	if tr0.ErrorCode != 0 || tr0.Envelopes != nil || tr0.Buffer != nil || !bytes.Equal(tr0.NextDestIndex, b.first) {
		t.Fatal("tombstone range 0")
	}
	cq := c.send(wire.Request99{CancelResendingCopyCommand: &wire.CancelResendingCopyCommand{WriteCapHash: make([]byte, 32)}})
	if r := c.reply(wire.ReplyCancelResendingCopyCommand, cq); code(t, r) != 0 {
		t.Fatal("cancel of nothing")
	}
	over := c.call(wire.Request99{EncryptWrite: &wire.EncryptWrite{Plaintext: make([]byte, 1550), WriteCap: a.w, MessageBoxIndex: a.first}}).EncryptWriteReply
	if over.ErrorCode != 3 || over.MessageCiphertext != nil || over.EnvelopeDescriptor != nil || over.EnvelopeHash != nil || over.NextMessageBoxIndex != nil {
		t.Fatalf("oversized write: %+v", over.ErrorCode)
	}
	for _, seed := range [][]byte{nil, make([]byte, 31), make([]byte, 33)} {
		kp := c.call(wire.Request99{NewKeypair: &wire.NewKeypair{Seed: seed}}).NewKeypairReply
		if kp.ErrorCode != 3 || kp.WriteCap != nil || kp.ReadCap != nil || kp.FirstMessageIndex != nil {
			t.Fatalf("seed of %d bytes: %v", len(seed), kp.ErrorCode)
		}
	}
	if r := c.call(wire.Request99{EncryptWrite: &wire.EncryptWrite{WriteCap: a.w, MessageBoxIndex: a.first}}).EncryptWriteReply; r.ErrorCode != 3 {
		t.Fatal("null plaintext")
	}
	bad := c.call(wire.Request99{StartResendingEncryptedMessage: &wire.StartResendingEncryptedMessage{WriteCap: a.w, ReadCap: a.r,
		EnvelopeDescriptor: []byte{1}, MessageCiphertext: []byte{1}, EnvelopeHash: make([]byte, 32)}}).StartResendingEncryptedMessageReply
	if bad.ErrorCode != 3 || bad.CourierIdentityHash != nil || bad.CourierQueueID != nil {
		t.Fatal("start with two caps")
	}
}

// Flow (i): a copy command on an empty temporary stream waits; its cancel
// answers 24 then 0.
func TestPigeonholeCopyCancel(t *testing.T) {
	e := start(t, wire.Generation99)
	c := e.connect(nil)
	tmp := c.keypair()
	start := c.send(wire.Request99{StartResendingCopyCommand: &wire.StartResendingCopyCommand{WriteCap: tmp.w}})
	e.sync()
	cancel := c.send(wire.Request99{CancelResendingCopyCommand: &wire.CancelResendingCopyCommand{WriteCapHash: writeCapHash(tmp.w)}})
	r := c.reply(wire.ReplyStartResendingCopyCommand, start).StartResendingCopyCommandReply
	if r.ErrorCode != 24 || r.ReplicaErrorCode != 0 || r.FailedEnvelopeIndex != 0 {
		t.Fatalf("cancelled copy: %+v", r)
	}
	if r := c.reply(wire.ReplyCancelResendingCopyCommand, cancel); code(t, r) != 0 {
		t.Fatal("cancel reply")
	}
}

// Flow (j): a tombstone, then a read gives 11 with a null plaintext.
func TestPigeonholeTombstone(t *testing.T) {
	e := start(t, wire.Generation99)
	c := e.connect(nil)
	s := c.keypair()
	c.writeBox(s.w, s.first, []byte{})
	if r := c.readBox(s.r, s.first, false); r.ErrorCode != 11 || r.Plaintext != nil {
		t.Fatalf("%+v", r)
	}
}

// A copy whose destination box already holds something else fails with
// 26, the replica's 10 and the envelope's position.
func TestPigeonholeCopyFails(t *testing.T) {
	e := start(t, wire.Generation99)
	c := e.connect(nil)
	dst, tmp := c.keypair(), c.keypair()
	c.writeBox(dst.w, dst.first, []byte("taken"))
	fp := c.call(wire.Request99{CreateCourierEnvelopesFromPayload: &wire.CreateCourierEnvelopesFromPayload{
		Payload: []byte("other"), DestWriteCap: dst.w, DestStartIndex: dst.first, IsStart: true, IsLast: true}}).CreateCourierEnvelopesFromPayloadReply
	c.writeElements(tmp, fp.Envelopes)
	q := c.send(wire.Request99{StartResendingCopyCommand: &wire.StartResendingCopyCommand{WriteCap: tmp.w}})
	r := c.reply(wire.ReplyStartResendingCopyCommand, q).StartResendingCopyCommandReply
	if r.ErrorCode != 26 || r.ReplicaErrorCode != 10 || r.FailedEnvelopeIndex != 1 {
		t.Fatalf("%+v", r)
	}
}

// The 16-slot queue: with 16 starts outstanding, a 17th stops the
// connection's reading (a local request behind it waits too) until a
// slot frees.
func TestPigeonholeStartSlots(t *testing.T) {
	e := start(t, wire.Generation99)
	c := e.connect(nil)
	s := c.keypair()
	idx := s.first
	var reads []wire.QueryID
	var encrypted []*wire.EncryptReadReply
	var indexes [][]byte
	for range 17 {
		er := c.encryptRead(s.r, idx)
		encrypted, indexes = append(encrypted, er), append(indexes, idx)
		idx = er.NextMessageBoxIndex
	}
	for i := range 16 {
		reads = append(reads, c.startRead(s.r, indexes[i], encrypted[i], false))
	}
	e.sync()
	c.startRead(s.r, indexes[16], encrypted[16], false) // the 17th
	kq := c.send(wire.Request99{NewKeypair: &wire.NewKeypair{Seed: make([]byte, 32)}})
	// Neither is read while the slots are full: the request count stays.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := e.d.WaitRequests(ctx, int(e.requests.Load())); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the connection read past a full queue: %v", err)
	}
	if st := e.d.PigeonholeStats(); st.Starts != 16 || st.InFlight != 16 {
		t.Fatalf("stats %+v", st)
	}
	// Writing the first box ends the first read and frees its slot.
	if !e.d.WriteBox(s.w, indexes[0], []byte("first")) {
		t.Fatal("WriteBox")
	}
	if r := c.startReply(reads[0]); string(r.Plaintext) != "first" {
		t.Fatal("freed read")
	}
	if r := c.reply(wire.ReplyNewKeypair, kq); code(t, r) != 0 {
		t.Fatal("keypair after the 17th start")
	}
	if st := e.d.PigeonholeStats(); st.Starts != 17 || st.InFlight != 16 {
		t.Fatalf("stats %+v", st)
	}
}

// 9.8: a reply that comes while the session is away is lost, not queued;
// the client's replay after resuming is answered (and counted).
func TestPigeonholeLostWhileAway(t *testing.T) {
	e := start(t, wire.Generation99)
	token := wire.NewToken()
	c := e.connect(&token)
	s := c.keypair()
	e.d.HoldPigeonhole()
	ew := c.encryptWrite(s.w, s.first, []byte("x"))
	q, req := c.startWrite(s.w, ew, false)
	e.sync()
	e.d.DropConnections()
	c.expectEOF()
	e.d.ReleasePigeonhole() // the answer arrives while the session is away
	// Lost, and the operation stays registered, dead. The answer may
	// still be on the mock's clock (a zero-latency round trip is
	// scheduled, not inline): wait for it to land.
	st, err := e.d.WaitPigeonhole(ctxTimeout(t), func(st mock.PigeonholeStats) bool { return st.Lost != 0 })
	if err != nil || st.Lost != 1 || st.InFlight != 1 {
		t.Fatalf("stats %+v, %v", st, err)
	}
	c2 := e.dial().handshakeAnd()
	if reply, before := c2.open(token); !reply.Resumed || len(before) != 0 {
		t.Fatalf("resume: %+v, %d queued", reply, len(before))
	}
	c2.write(req.AppendFrame(nil)) // the replay, byte for byte
	if r := c2.startReply(q); r.ErrorCode != 0 {
		t.Fatalf("replay: %v", r.ErrorCode)
	}
	if st := e.d.PigeonholeStats(); st.Replays != 1 || st.Starts != 2 || st.InFlight != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// A cancel after resuming still finds an operation whose reply was lost
// while the session was away (it stays registered, dead): 24, then 0.
func TestPigeonholeCancelLostOperation(t *testing.T) {
	e := start(t, wire.Generation99)
	token := wire.NewToken()
	c := e.connect(&token)
	s := c.keypair()
	e.d.HoldPigeonhole()
	ew := c.encryptWrite(s.w, s.first, []byte("x"))
	q, _ := c.startWrite(s.w, ew, false)
	e.sync()
	e.d.DropConnections()
	c.expectEOF()
	e.d.ReleasePigeonhole()
	c2 := e.dial().handshakeAnd()
	c2.open(token)
	c2.expectCancelled(q, c2.cancelMessage(ew.EnvelopeHash))
	if st := e.d.PigeonholeStats(); st.InFlight != 0 || st.Lost != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// An operation of a detached session stays registered and is answered
// on the resumed connection when it ends after the resume.
func TestPigeonholeAnsweredAfterResume(t *testing.T) {
	e := start(t, wire.Generation99)
	token := wire.NewToken()
	c := e.connect(&token)
	s := c.keypair()
	er := c.encryptRead(s.r, s.first)
	q := c.startRead(s.r, s.first, er, false)
	e.sync()
	e.d.DropConnections()
	c.expectEOF()
	if st := e.d.PigeonholeStats(); st.InFlight != 1 {
		t.Fatalf("stats %+v", st)
	}
	c2 := e.dial().handshakeAnd()
	c2.open(token)
	e.d.WriteBox(s.w, s.first, []byte("after resume"))
	if r := c2.startReply(q); string(r.Plaintext) != "after resume" {
		t.Fatalf("%+v", r)
	}
}

// thin_close drops the application's operations at once, silently.
func TestPigeonholeThinCloseDrops(t *testing.T) {
	e := start(t, wire.Generation99)
	token := wire.NewToken()
	c := e.connect(&token)
	s := c.keypair()
	er := c.encryptRead(s.r, s.first)
	c.startRead(s.r, s.first, er, false)
	c.write((&wire.Request99{ThinClose: &wire.ThinClose{}}).AppendFrame(nil))
	c.expectEOF()
	e.sync()
	if st := e.d.PigeonholeStats(); st.InFlight != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// Latency and loss only make operations slower.
func TestPigeonholeLatencyAndLoss(t *testing.T) {
	e := start(t, wire.Generation99, mock.WithPigeonholeLatency(time.Millisecond, time.Millisecond), mock.WithPigeonholeLoss(0.5))
	c := e.connect(nil)
	s := c.keypair()
	idx := s.first
	for i := range 8 {
		idx = c.writeBox(s.w, idx, []byte{byte(i)})
	}
	if got := c.readAll(s, 8); !bytes.Equal(got, []byte{0, 1, 2, 3, 4, 5, 6, 7}) {
		t.Fatalf("%x", got)
	}
	for _, opt := range []mock.Option{mock.WithPigeonholeLoss(1), mock.WithPigeonholeLatency(-1, 0)} {
		d := mock.New(opt)
		ctx, cancel := context.WithTimeout(context.Background(), frameTimeout)
		if _, err := d.Dialer().Dial(ctx); !errors.Is(err, mock.ErrInvalidOption) {
			t.Errorf("bad option accepted: %v", err)
		}
		cancel()
		d.Close()
	}
}

// While the daemon is offline no start gets an answer; it comes once the
// daemon is back. Local requests are answered meanwhile.
func TestPigeonholeOfflineWaits(t *testing.T) {
	e := start(t, wire.Generation99)
	c := e.connect(nil)
	s := c.keypair()
	e.d.SetConnected(false)
	c.expectStatus(false)
	ew := c.encryptWrite(s.w, s.first, []byte("queued"))
	q, _ := c.startWrite(s.w, ew, false)
	e.sync()
	if st := e.d.PigeonholeStats(); st.InFlight != 1 {
		t.Fatalf("stats %+v", st)
	}
	c.keypair() // local requests still work (the start's reply would fail this)
	e.d.SetConnected(true)
	c.expectStatus(true)
	if r := c.startReply(q); r.ErrorCode != 0 {
		t.Fatalf("%+v", r)
	}
}

// v0.0.47 has no Pigeonhole: such a request has no operation flag there,
// which the real daemon does not survive; the mock records a Violation,
// so a client that sends one fails its tests.
func TestPigeonholeOn47IsAViolation(t *testing.T) {
	e := start(t, wire.Generation47)
	c := e.connect(nil)
	c.write((&wire.Request99{NewKeypair: &wire.NewKeypair{QueryID: new(wire.QueryID), Seed: make([]byte, 32)}}).AppendFrame(nil))
	c.expectEOF()
	e.sync()
	if v := e.d.Violations(); len(v) != 1 {
		t.Fatalf("violations %v", v)
	}
	if st := e.d.PigeonholeStats(); st != (mock.PigeonholeStats{}) {
		t.Fatalf("stats %+v", st)
	}
}

// goroutineTB lets a test's helpers run on another goroutine: Fatal
// reports the failure and ends only that goroutine.
type goroutineTB struct{ testing.TB }

func (g goroutineTB) Fatal(args ...any) {
	g.TB.Helper()
	g.TB.Error(args...)
	runtime.Goexit()
}

func (g goroutineTB) Fatalf(format string, args ...any) {
	g.TB.Helper()
	g.TB.Errorf(format, args...)
	runtime.Goexit()
}

// Several connections share one store: each writes its stream while
// another reads it (its reads waiting for the writes), all at once.
func TestPigeonholeSharedStore(t *testing.T) {
	e := start(t, wire.Generation99, mock.WithPigeonholeLatency(0, time.Millisecond))
	const n, boxes = 4, 5
	streams := make([]stream, n)
	setup := e.connect(nil)
	for i := range streams {
		streams[i] = setup.keypair()
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := (&env{t: goroutineTB{t}, d: e.d, gen: e.gen}).connect(nil)
			s := streams[(i+1)%n]
			idx := s.first
			for b := range boxes {
				er := c.encryptRead(s.r, idx)
				r := c.startReply(c.startRead(s.r, idx, er, false)) // waits for the write
				if !bytes.Equal(r.Plaintext, []byte{byte((i + 1) % n), byte(b)}) {
					t.Errorf("box %d: %x", b, r.Plaintext)
				}
				idx = er.NextMessageBoxIndex
			}
		})
		wg.Go(func() {
			c := (&env{t: goroutineTB{t}, d: e.d, gen: e.gen}).connect(nil)
			idx := streams[i].first
			for b := range boxes {
				idx = c.writeBox(streams[i].w, idx, []byte{byte(i), byte(b)})
			}
		})
	}
	wg.Wait()
	if st := e.d.PigeonholeStats(); st.Starts != 2*n*boxes || st.InFlight != 0 {
		t.Fatalf("stats %+v", st)
	}
}
