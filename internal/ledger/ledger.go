// Package ledger measures ghost sends and lost results of a thin client
// under connection churn, for the storm test and the churn soak.
//
// A Ledger orders on one sequence the start of every socket write, every
// whole frame read and the return of every call, and finds each call's
// payload in the bytes by a marker and the call's number. A write that
// carries a call's payload and starts after the call returned is a ghost
// send; a call that waited out its deadline although a frame with its
// reply reached the client lost a result.
package ledger

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/katzenthin/katzenthin/transport"
)

// marker starts every payload the ledger follows; the call's number, 8
// bytes big-endian, comes next.
var marker = []byte("LEDGER-CALL:")

// PayloadLen is the length of the shortest payload Payload makes.
const PayloadLen = 12 + 8

// Payload returns a payload of at least PayloadLen bytes (size if larger)
// that names call n.
func Payload(n uint64, size int) []byte {
	p := make([]byte, max(size, PayloadLen))
	copy(p, marker)
	binary.BigEndian.PutUint64(p[len(marker):], n)
	return p
}

// Ledger is safe for concurrent use.
type Ledger struct {
	seq      atomic.Uint64
	mu       sync.Mutex
	lastSent map[uint64]uint64    // call → sequence of the last write carrying it
	returned map[uint64]uint64    // call → sequence of its return
	received map[uint64]time.Time // call → when its reply was first read
	ended    map[uint64]time.Time // call → when it returned
	seen     map[uint64]bool      // calls whose payload reached the service
}

// New returns an empty ledger.
func New() *Ledger {
	return &Ledger{lastSent: map[uint64]uint64{}, returned: map[uint64]uint64{},
		received: map[uint64]time.Time{}, ended: map[uint64]time.Time{}, seen: map[uint64]bool{}}
}

// Returned records that call n returned, now.
func (l *Ledger) Returned(n uint64) {
	seq := l.seq.Add(1)
	now := time.Now()
	l.mu.Lock()
	l.returned[n] = seq
	l.ended[n] = now
	l.mu.Unlock()
}

// Service is an echo service that records the calls whose payload
// reached it.
func (l *Ledger) Service(p []byte) []byte {
	l.mu.Lock()
	each(p, func(n uint64) { l.seen[n] = true })
	l.mu.Unlock()
	return p
}

// Ghost reports whether a write carrying call n started after it
// returned.
func (l *Ledger) Ghost(n uint64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastSent[n] > l.returned[n]
}

// ReplyBeforeReturn reports whether a whole frame with call n's reply
// was read more than margin before the call returned: a call that ended
// without its result then lost it. (Within the margin, the call's
// context may simply have ended while the reader was dispatching.)
func (l *Ledger) ReplyBeforeReturn(n uint64, margin time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.received[n]
	return ok && r.Add(margin).Before(l.ended[n])
}

// Seen reports whether call n's payload reached the service.
func (l *Ledger) Seen(n uint64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seen[n]
}

func (l *Ledger) wrote(p []byte) {
	seq := l.seq.Add(1)
	l.mu.Lock()
	each(p, func(n uint64) { l.lastSent[n] = seq })
	l.mu.Unlock()
}

func (l *Ledger) read(frame []byte) {
	now := time.Now()
	l.mu.Lock()
	each(frame, func(n uint64) {
		if _, ok := l.received[n]; !ok {
			l.received[n] = now
		}
	})
	l.mu.Unlock()
}

// each calls f with the number of every marked payload in p.
func each(p []byte, f func(uint64)) {
	for {
		i := bytes.Index(p, marker)
		if i < 0 || len(p) < i+PayloadLen {
			return
		}
		p = p[i+len(marker):]
		f(binary.BigEndian.Uint64(p))
	}
}

// Dialer wraps d: its connections record their writes and whole frames
// read in l.
func (l *Ledger) Dialer(d transport.Dialer) transport.Dialer { return dialer{d, l} }

type dialer struct {
	transport.Dialer
	l *Ledger
}

func (d dialer) Dial(ctx context.Context) (net.Conn, error) {
	nc, err := d.Dialer.Dial(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: nc, l: d.l}, nil
}

type conn struct {
	net.Conn
	l    *Ledger
	recv []byte // bytes read and not yet a whole frame
}

// Write stamps the write's start.
func (c *conn) Write(p []byte) (int, error) {
	c.l.wrote(p)
	return c.Conn.Write(p)
}

// Read notes the replies in every whole frame read: a frame cut short by
// a drop never reached the client.
func (c *conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.recv = append(c.recv, p[:n]...)
	for len(c.recv) >= 4 {
		size := 4 + int(binary.BigEndian.Uint32(c.recv))
		if size < 4 || len(c.recv) < size {
			break
		}
		c.l.read(c.recv[:size])
		c.recv = c.recv[size:]
	}
	return n, err
}
