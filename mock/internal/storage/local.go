package storage

import (
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/blake2b"

	"github.com/katzenthin/katzenthin/wire"
)

// handlePigeonhole handles a v0.0.99 Pigeonhole request (docs/protocol.md 9.6).
// handled is false for a request with no Pigeonhole operation; stop is
// true when the connection has ended: a cap or index of the wrong length
// fails the daemon's decoding of the whole frame, and it closes the
// socket without a reply, keeping the session (9.2; not a Violation,
// since the daemon survives it).
func (c *conn) handlePigeonhole(req *wire.Request99) (handled, stop bool) {
	kind := req.ExpectedReply()
	if kind == wire.ReplyNone || kind == wire.ReplyGetPKIDocument {
		return false, false
	}
	c.LogRequest(strings.TrimSuffix(kind.String(), "_reply"))
	ok := true
	switch {
	case req.NewKeypair != nil:
		c.phNewKeypair(req.NewKeypair)
	case req.EncryptRead != nil:
		ok = c.phEncryptRead(req.EncryptRead)
	case req.EncryptWrite != nil:
		ok = c.phEncryptWrite(req.EncryptWrite)
	case req.StartResendingEncryptedMessage != nil:
		ok = c.phStartMessage(req.StartResendingEncryptedMessage)
	case req.CancelResendingEncryptedMessage != nil:
		c.phCancelMessage(req.CancelResendingEncryptedMessage)
	case req.StartResendingCopyCommand != nil:
		ok = c.phStartCopy(req.StartResendingCopyCommand)
	case req.CancelResendingCopyCommand != nil:
		c.phCancelCopy(req.CancelResendingCopyCommand)
	case req.NextMessageBoxIndex != nil:
		ok = c.phNextIndex(req.NextMessageBoxIndex)
	case req.GetMessageBoxIndexCounter != nil:
		ok = c.phCounter(req.GetMessageBoxIndexCounter)
	case req.GetDirectoryAuthorities != nil:
		c.phDirectoryAuthorities(req.GetDirectoryAuthorities)
	case req.CreateCourierEnvelopesFromPayload != nil:
		ok = c.phFromPayload(req.CreateCourierEnvelopesFromPayload)
	case req.CreateCourierEnvelopesFromMultiPayload != nil:
		ok = c.phFromMultiPayload(req.CreateCourierEnvelopesFromMultiPayload)
	case req.CreateCourierEnvelopesFromTombstoneRange != nil:
		ok = c.phTombstoneRange(req.CreateCourierEnvelopesFromTombstoneRange)
	case req.VoucherMint != nil:
		ok = c.phVoucherMint(req.VoucherMint)
	case req.VoucherInduct != nil:
		ok = c.phVoucherInduct(req.VoucherInduct)
	case req.VoucherOpen != nil:
		ok = c.phVoucherOpen(req.VoucherOpen)
	case req.VoucherDeriveStream != nil:
		c.phVoucherDeriveStream(req.VoucherDeriveStream)
	default:
		return false, false
	}
	return true, !ok
}

// badLength reports whether a BACAP field is set with the wrong length,
// which the daemon cannot decode: the connection is closed.
func (c *conn) badLength(fields ...[]byte) bool {
	for i := 0; i+1 < len(fields); i += 2 {
		if b, want := fields[i], len(fields[i+1]); b != nil && len(b) != want {
			c.s.log.Info("mock: Pigeonhole field of the wrong length; closing the connection as the daemon does",
				"app", c.AppID(), "length", len(b), "want", want)
			c.s.mu.Lock()
			c.s.stats.Closed++
			c.s.changes.signal()
			c.s.mu.Unlock()
			c.CloseLost()
			return true
		}
	}
	return false
}

// Templates of the BACAP lengths, for badLength.
var (
	writeCapLen = make([]byte, phWriteCapLen)
	readCapLen  = make([]byte, phReadCapLen)
	indexLen    = make([]byte, phIndexLen)
)

// localDelay holds up the connection for a crypto-heavy local request;
// false if the connection ended meanwhile.
func (c *conn) localDelay() bool {
	d := c.s.opts.Local
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.Done():
		return false
	}
}

func (c *conn) phNewKeypair(q *wire.NewKeypair) {
	r := wire.NewKeypairReply{QueryID: q.QueryID}
	if len(q.Seed) != 32 {
		r.ErrorCode = wire.ErrorCodeInvalidRequest
	} else {
		r.WriteCap, r.ReadCap, r.FirstMessageIndex = newKeypair(q.Seed)
	}
	c.Send(&wire.Response{NewKeypairReply: &r})
}

// encrypt registers env and fills an encrypt reply's fields; index is the
// box's, whose successor the reply names.
func (c *conn) encrypt(env *phEnvelope, index []byte) (ciphertext, descriptor, hash, next []byte, code wire.ErrorCode) {
	next, ok := nextIndex(index)
	if !ok {
		return nil, nil, nil, nil, wire.ErrorCodeInternalError
	}
	ct, desc, h := c.s.newEnvelope(env)
	return ct, desc, h[:], next, 0
}

func (c *conn) phEncryptWrite(q *wire.EncryptWrite) bool {
	if c.badLength(q.WriteCap, writeCapLen, q.MessageBoxIndex, indexLen) {
		return false
	}
	r := wire.EncryptWriteReply{QueryID: q.QueryID}
	switch {
	case q.WriteCap == nil || q.MessageBoxIndex == nil || q.Plaintext == nil || len(q.Plaintext) > phMaxPlaintext:
		r.ErrorCode = wire.ErrorCodeInvalidRequest
	default:
		if !c.localDelay() {
			return false
		}
		env := &phEnvelope{write: true, box: boxID(q.WriteCap[32:64], q.MessageBoxIndex), plaintext: append([]byte{}, q.Plaintext...)}
		r.MessageCiphertext, r.EnvelopeDescriptor, r.EnvelopeHash, r.NextMessageBoxIndex, r.ErrorCode = c.encrypt(env, q.MessageBoxIndex)
	}
	c.Send(&wire.Response{EncryptWriteReply: &r})
	return true
}

func (c *conn) phEncryptRead(q *wire.EncryptRead) bool {
	if c.badLength(q.ReadCap, readCapLen, q.MessageBoxIndex, indexLen) {
		return false
	}
	r := wire.EncryptReadReply{QueryID: q.QueryID}
	if q.ReadCap == nil || q.MessageBoxIndex == nil {
		r.ErrorCode = wire.ErrorCodeInvalidRequest
	} else {
		if !c.localDelay() {
			return false
		}
		env := &phEnvelope{box: boxID(q.ReadCap[:32], q.MessageBoxIndex)}
		r.MessageCiphertext, r.EnvelopeDescriptor, r.EnvelopeHash, r.NextMessageBoxIndex, r.ErrorCode = c.encrypt(env, q.MessageBoxIndex)
	}
	c.Send(&wire.Response{EncryptReadReply: &r})
	return true
}

func (c *conn) phNextIndex(q *wire.NextMessageBoxIndex) bool {
	if c.badLength(q.MessageBoxIndex, indexLen) {
		return false
	}
	r := wire.NextMessageBoxIndexReply{QueryID: q.QueryID}
	if q.MessageBoxIndex == nil {
		r.ErrorCode = wire.ErrorCodeInvalidRequest
	} else if next, ok := nextIndex(q.MessageBoxIndex); ok {
		r.NextMessageBoxIndex = next
	} else {
		r.ErrorCode = wire.ErrorCodeInternalError
	}
	c.Send(&wire.Response{NextMessageBoxIndexReply: &r})
	return true
}

func (c *conn) phCounter(q *wire.GetMessageBoxIndexCounter) bool {
	if c.badLength(q.MessageBoxIndex, indexLen) {
		return false
	}
	r := wire.GetMessageBoxIndexCounterReply{QueryID: q.QueryID}
	if q.MessageBoxIndex == nil {
		r.ErrorCode = wire.ErrorCodeInvalidRequest
	} else {
		r.Counter = leUint64(q.MessageBoxIndex)
	}
	c.Send(&wire.Response{GetMessageBoxIndexCounterReply: &r})
	return true
}

// phDirectoryAuthorities answers with three made-up voting authorities
// shaped like the captured ones (random keys in PEM armour).
func (c *conn) phDirectoryAuthorities(q *wire.GetDirectoryAuthorities) {
	r := wire.GetDirectoryAuthoritiesReply{QueryID: q.QueryID}
	for i, name := range []string{"auth1", "auth2", "auth3"} {
		id := make([]byte, 32)
		rand.Read(id)
		link := make([]byte, 1216)
		rand.Read(link)
		h := blake2b.Sum256(id)
		r.Authorities = append(r.Authorities, wire.DirectoryAuthority{
			Identifier: name, PKISignatureScheme: "Ed25519", WireKEMScheme: "xwing",
			Addresses:            []string{fmt.Sprintf("tcp://127.0.0.1:%d", 42001+2*i)},
			IdentityPublicKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "ED25519 PUBLIC KEY", Bytes: id})),
			LinkPublicKeyPEM:     string(pem.EncodeToMemory(&pem.Block{Type: "XWING PUBLIC KEY", Bytes: link})),
			IdentityKeyHash:      h[:],
		})
	}
	c.Send(&wire.Response{GetDirectoryAuthoritiesReply: &r})
}

// The voucher requests: no real cryptography; the mock remembers what it
// minted and sealed, and derives streams by hashing, so that the 9.10 (c)
// choreography works end to end.

func (c *conn) phVoucherMint(q *wire.VoucherMint) bool {
	r := wire.VoucherMintReply{QueryID: q.QueryID}
	if len(q.MessageWriteCap) != phWriteCapLen {
		r.ErrorCode = wire.ErrorCodeInvalidRequest
		c.Send(&wire.Response{VoucherMintReply: &r})
		return true
	}
	if !c.localDelay() {
		return false
	}
	var v [32]byte
	rand.Read(v[:])
	r.Voucher = v[:]
	r.VoucherWriteCap, r.VoucherReadCap, _ = newKeypair(expand(32, "mock voucher", v[:]))
	r.VoucherPayload = expand(457, "mock voucher payload", v[:])
	r.VoucherSecretKey = expand(162, "mock voucher secret", v[:])
	r.VoucherPublicKey = expand(160, "mock voucher public", v[:])
	ph := c.s
	ph.mu.Lock()
	ph.vouchers[v] = &phVoucher{name: q.DisplayName, writeCap: append([]byte(nil), q.MessageWriteCap...)}
	ph.mu.Unlock()
	c.Send(&wire.Response{VoucherMintReply: &r})
	return true
}

func (c *conn) phVoucherDeriveStream(q *wire.VoucherDeriveStream) {
	r := wire.VoucherDeriveStreamReply{QueryID: q.QueryID}
	if len(q.Voucher) != 32 {
		r.ErrorCode = wire.ErrorCodeInvalidRequest
	} else {
		r.VoucherWriteCap, r.VoucherReadCap, _ = newKeypair(expand(32, "mock voucher", q.Voucher))
	}
	c.Send(&wire.Response{VoucherDeriveStreamReply: &r})
}

func (c *conn) phVoucherInduct(q *wire.VoucherInduct) bool {
	r := wire.VoucherInductReply{QueryID: q.QueryID}
	ph := c.s
	ph.mu.Lock()
	v := ph.vouchers[key32(q.Voucher)]
	ph.mu.Unlock()
	switch {
	case len(q.Voucher) != 32 || q.VoucherPayload == nil:
		r.ErrorCode = wire.ErrorCodeInvalidRequest
	case v == nil:
		r.ErrorCode = 28 // voucher hash mismatch: not a payload of this voucher
	default:
		if !c.localDelay() {
			return false
		}
		salt := make([]byte, 32)
		rand.Read(salt)
		mutated, mutatedRead, _ := newKeypair(expand(32, "mock mutated", v.writeCap, salt))
		var sealed [32]byte
		rand.Read(sealed[:])
		ph.mu.Lock()
		ph.sealed[sealed] = &phSealed{whoReply: append([]byte{}, q.WhoReply...), salt: salt, writeCap: mutated}
		ph.mu.Unlock()
		r.DisplayName = v.name
		r.MutatedMessageReadCap = mutatedRead
		r.SealedReply = append(sealed[:], expand(334, "mock sealed", sealed[:])...)
		r.VoucherWriteCap, r.VoucherReadCap, _ = newKeypair(expand(32, "mock voucher", q.Voucher))
		r.Salt = salt
	}
	c.Send(&wire.Response{VoucherInductReply: &r})
	return true
}

func (c *conn) phVoucherOpen(q *wire.VoucherOpen) bool {
	r := wire.VoucherOpenReply{QueryID: q.QueryID}
	var s *phSealed
	if len(q.SealedReply) >= 32 {
		ph := c.s
		ph.mu.Lock()
		s = ph.sealed[[32]byte(q.SealedReply[:32])]
		ph.mu.Unlock()
	}
	switch {
	case q.VoucherSecretKey == nil || len(q.MessageWriteCap) != phWriteCapLen:
		r.ErrorCode = wire.ErrorCodeInvalidRequest
	case s == nil:
		r.ErrorCode = 30 // seal open failed
	default:
		r.WhoReply, r.Salt, r.MutatedMessageWriteCap = s.whoReply, s.salt, s.writeCap
	}
	c.Send(&wire.Response{VoucherOpenReply: &r})
	return true
}
