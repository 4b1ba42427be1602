package storage

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/katzenthin/katzenthin/wire"
)

// The Pigeonhole geometry the mock announces (its handshake) and its
// limits (docs/protocol.md 9.4).
const (
	phMaxPlaintext  = 1549     // MaxPlaintextPayloadLength
	phQueryLength   = 2000     // CourierQueryWriteLength: every ciphertext
	phMaxPayload    = 10 << 20 // create_courier_envelopes_* payload
	phStartSlots    = 16       // start_* requests outstanding per connection
	phDescriptorLen = 201
	phMaxCopyBoxes  = 1 << 16            // boxes a courier reads for one copy
	phRecordLen     = 2003               // a serialized destination envelope in a copy stream, as measured
	phElementData   = phMaxPlaintext - 5 // bytes of stream per copy-stream element
	phWriteCapLen   = 168
	phReadCapLen    = 136
	phIndexLen      = 104
)

// The mock does no real BACAP or MKEM cryptography: the client never looks
// inside the blobs. It keeps their sizes and the layout relations of 9.3
// (a write cap is 64 bytes of key, the public half in [32:64], then its
// first index; a read cap is that public key and index), derives
// everything else by hashing, and remembers what each ciphertext it made
// stands for.

// phBox is a stored box.
type phBox struct {
	data      []byte
	tombstone bool
}

// phEnvelope is what a ciphertext made by encrypt_* (or a copy-stream
// builder) stands for.
type phEnvelope struct {
	write     bool
	box       [32]byte
	plaintext []byte // a write's; empty for a tombstone
}

// phFlight is a start_* operation registered with the daemon.
type phFlight struct {
	app     Session
	conn    *conn // whose start slot it holds
	qid     wire.QueryID
	key     [32]byte // envelope hash, or the copy's write-cap hash
	copy    bool
	env     *phEnvelope // nil for a copy, or a ciphertext the mock did not make
	tempCap []byte      // copy: the temporary stream's write cap
	noRetry bool
	noIdem  bool

	// Guarded by Store.mu.
	done      bool          // unregistered: answered, cancelled, dropped
	dead      bool          // its final reply was lost while its session was away; still registered (9.8)
	waiting   *[32]byte     // the box it waits for, if any
	starvedBy *courierEntry // set while the courier answers it from its cache
}

// phVoucher and phSealed are the state behind the mock's vouchers.
type phVoucher struct {
	name     string
	writeCap []byte
}

type phSealed struct {
	whoReply, salt, writeCap []byte
}

// Store is one daemon's Pigeonhole state, shared by all its
// connections: the box store, the ciphertexts it made, the registered
// operations and the waits on empty boxes.
type Store struct {
	host Host
	opts Options
	log  *slog.Logger

	mu        sync.Mutex
	boxes     map[[32]byte]*phBox
	envelopes map[[32]byte]*phEnvelope // by the hash inside the ciphertext
	messages  map[[32]byte]*phFlight   // by envelope hash
	copies    map[[32]byte]*phFlight   // by write-cap hash
	waiters   map[[32]byte][]*phFlight // by box
	seen      map[[32]byte]bool        // every start key, for Replays
	vouchers  map[[32]byte]*phVoucher
	sealed    map[[32]byte]*phSealed
	holding   bool
	held      []*phFlight
	cache     map[[32]byte]*courierEntry // the courier's, by envelope hash
	courier   [32]byte                   // the courier's identity hash in replies
	stats     Stats

	retransmissions atomic.Int64
	// changes is signalled after every change of what Stats
	// reports: stats, retransmissions, and the lengths of messages,
	// copies and held.
	changes changes
}

// New returns an empty store of the daemon host, configured by opts,
// logging to log.
func New(host Host, opts Options, log *slog.Logger) *Store {
	s := &Store{
		host:      host,
		opts:      opts,
		log:       log,
		boxes:     make(map[[32]byte]*phBox),
		envelopes: make(map[[32]byte]*phEnvelope),
		messages:  make(map[[32]byte]*phFlight),
		copies:    make(map[[32]byte]*phFlight),
		waiters:   make(map[[32]byte][]*phFlight),
		seen:      make(map[[32]byte]bool),
		vouchers:  make(map[[32]byte]*phVoucher),
		sealed:    make(map[[32]byte]*phSealed),
		cache:     make(map[[32]byte]*courierEntry),
	}
	rand.Read(s.courier[:])
	return s
}

// expand derives n bytes from a label and inputs.
func expand(n int, label string, in ...[]byte) []byte {
	h := sha256.New()
	h.Write([]byte(label))
	for _, b := range in {
		h.Write(b)
	}
	seed := h.Sum(nil)
	out := make([]byte, 0, n+sha256.Size)
	for i := uint32(0); len(out) < n; i++ {
		block := sha256.Sum256(binary.BigEndian.AppendUint32(append([]byte(nil), seed...), i))
		out = append(out, block[:]...)
	}
	return out[:n]
}

// newKeypair derives a stream from a seed, as deterministically as the
// daemon: write cap = seed ‖ public key ‖ first index; read cap = public
// key ‖ first index. The first counter is pseudo-random below 2^63.
func newKeypair(seed []byte) (writeCap, readCap, first []byte) {
	pub := expand(32, "mock pub", seed)
	first = make([]byte, phIndexLen)
	binary.LittleEndian.PutUint64(first, binary.LittleEndian.Uint64(expand(8, "mock idx", seed))>>1)
	copy(first[8:], expand(phIndexLen-8, "mock state", seed))
	writeCap = append(append(append([]byte(nil), seed...), pub...), first...)
	readCap = append(append([]byte(nil), pub...), first...)
	return writeCap, readCap, first
}

// nextIndex is the index after i: counter + 1, the rest derived from
// the current state (the daemon's HKDF chain). ok is false on overflow.
func nextIndex(i []byte) (next []byte, ok bool) {
	c := binary.LittleEndian.Uint64(i)
	if c == ^uint64(0) {
		return nil, false
	}
	next = binary.LittleEndian.AppendUint64(make([]byte, 0, phIndexLen), c+1)
	return append(next, expand(phIndexLen-8, "mock next", i[8:])...), true
}

// boxID names the box at index i of the stream of public key pub.
func boxID(pub, i []byte) [32]byte {
	var id [32]byte
	copy(id[:], expand(32, "mock box", pub, i))
	return id
}

// newEnvelope registers env and returns its ciphertext (a courier query
// of the geometry's length: 0 for "envelope", the envelope hash, filler),
// descriptor (a 201-byte CBOR map shaped like the daemon's, with a random
// key) and envelope hash (random: every encryption differs).
func (s *Store) newEnvelope(env *phEnvelope) (ciphertext, descriptor []byte, hash [32]byte) {
	rand.Read(hash[:])
	ciphertext = make([]byte, 1, phQueryLength)
	ciphertext = append(append(ciphertext, hash[:]...), expand(phQueryLength-33, "mock pad", hash[:])...)
	descriptor = append(make([]byte, 0, phDescriptorLen), 0xa3, 0x65)
	descriptor = append(descriptor, "Epoch"...)
	descriptor = append(descriptor, 0x19, 0x01, 0xef, 0x6b)
	descriptor = append(descriptor, "ReplicaNums"...)
	descriptor = append(descriptor, 0x42, 0x00, 0x01, 0x6b)
	descriptor = append(descriptor, "EnvelopeKey"...)
	descriptor = append(descriptor, 0x58, 162)
	key := make([]byte, 162)
	rand.Read(key)
	descriptor = append(descriptor, key...)
	s.mu.Lock()
	s.envelopes[hash] = env
	s.mu.Unlock()
	return ciphertext, descriptor, hash
}

// envelopeOf finds what a ciphertext (or copy-stream record) the mock
// made stands for; nil for any other bytes (the real courier cannot parse
// them and stays silent). The caller holds s.mu.
func (s *Store) envelopeOfLocked(ciphertext []byte) *phEnvelope {
	if len(ciphertext) < 33 || ciphertext[0] != 0 {
		return nil
	}
	return s.envelopes[[32]byte(ciphertext[1:33])]
}

// key32 reads a 32-byte hash as the daemon does: zero-padded or
// truncated, never checked.
func key32(b []byte) (k [32]byte) {
	copy(k[:], b)
	return k
}
