package raw

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
)

// ErrClosed is what a call gets once the connection has ended.
var ErrClosed = errors.New("raw: connection closed")

// Client is the raw client: callers write patched copies of the captured
// request template, and one reader hands every reply to its caller by
// the SURB ID at a fixed offset.
//
// It is the fastest honest design for many callers that we know: no
// goroutine between a caller and the socket (the first caller to find no
// write in progress writes everything queued, again until the queue is
// empty, while later callers only append: flat combining), one reader
// goroutine that copies each reply into its caller's own buffer, and a
// map of waiters by SURB ID. Its honesty: SURB IDs from crypto/rand,
// every reply is handed over or counted (Misses), every caller learns
// when the connection ends.
type Client struct {
	conn     net.Conn
	frames   *Frames
	size     int
	prefix   []byte // the request frame up to the payload, SURB ID zeroed
	suffix   []byte // after the payload
	idAt     int    // SURB ID offset in the frame
	replyID  int    // SURB ID offset in a reply body
	replyPay int    // payload offset in a reply body

	wmu     sync.Mutex
	pending []byte // frames queued for the writer in charge
	spare   []byte
	writing bool // a caller is writing: the others only queue
	werr    error

	mu      sync.Mutex
	waiters map[[IDLength]byte]*Caller
	closed  error

	misses atomic.Int64
	done   chan struct{}
}

// Dial connects to the canned daemon at addr, for payloads of size bytes.
func Dial(addr string, f *Frames, size int) (*Client, error) {
	conn, err := net.Dial("unix", addr)
	if err != nil {
		return nil, err
	}
	// The template for this payload size: the captured request with its
	// payload head rewritten, built once.
	n, head, ok := bytesHead(f.Request[f.RequestPayload:])
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("raw: captured request payload head")
	}
	body := append([]byte(nil), f.Request[:f.RequestPayload]...)
	body = appendBytesHead(body, size)
	payloadAt := 4 + len(body)
	body = append(body, make([]byte, size)...)
	body = append(body, f.Request[f.RequestPayload+head+n:]...)
	frame := appendFrame(nil, body)
	c := &Client{
		conn:     conn,
		frames:   f,
		size:     size,
		prefix:   frame[:payloadAt],
		suffix:   frame[payloadAt+size:],
		idAt:     4 + f.RequestID,
		replyID:  f.ReplyID - 4,
		replyPay: f.ReplyPayload - 4,
		waiters:  make(map[[IDLength]byte]*Caller),
		done:     make(chan struct{}),
	}
	go c.readLoop()
	return c, nil
}

// Misses counts replies whose SURB ID no caller was waiting for: 0 in an
// honest run.
func (c *Client) Misses() int64 { return c.misses.Load() }

// Close ends the connection and waits for the reader; waiting callers
// get ErrClosed.
func (c *Client) Close() error {
	err := c.conn.Close()
	<-c.done
	return err
}

// Caller is one calling goroutine's state, reused for all its calls: the
// reply lands in its own buffer, so a call allocates nothing.
type Caller struct {
	c     *Client
	id    [IDLength]byte
	ready chan struct{}
	reply []byte
	err   error
}

// NewCaller returns a caller for one goroutine at a time.
func (c *Client) NewCaller() *Caller {
	return &Caller{c: c, ready: make(chan struct{}, 1), reply: make([]byte, c.frames.ReplyPayloadLen)}
}

// Call sends payload (of the client's size) and returns the reply's
// payload, valid until the caller's next call.
func (w *Caller) Call(payload []byte) ([]byte, error) {
	c := w.c
	if len(payload) != c.size {
		return nil, fmt.Errorf("raw: payload of %d bytes, want %d", len(payload), c.size)
	}
	rand.Read(w.id[:])
	c.mu.Lock()
	if c.closed != nil {
		c.mu.Unlock()
		return nil, c.closed
	}
	c.waiters[w.id] = w
	c.mu.Unlock()
	if err := c.write(w.id[:], payload); err != nil {
		c.mu.Lock()
		if c.waiters[w.id] == w {
			delete(c.waiters, w.id)
			c.mu.Unlock()
			return nil, err
		}
		c.mu.Unlock() // the reader took it: its signal is on the way
	}
	<-w.ready
	if w.err != nil {
		return nil, w.err
	}
	return w.reply, nil
}

// CallOwned is Call under Send's contract: the reply's payload is fresh
// memory of the caller's own (one allocation of the padded payload per
// call), which the caller may keep. The harness measures it beside Call to
// show what that contract costs by itself, with no SDK code around it.
func (w *Caller) CallOwned(payload []byte) ([]byte, error) {
	r, err := w.Call(payload)
	if err != nil {
		return nil, err
	}
	return append(make([]byte, 0, len(r)), r...), nil
}

// write queues one request frame and, unless another caller is writing,
// writes the queue until it is empty.
func (c *Client) write(id, payload []byte) error {
	c.wmu.Lock()
	if c.werr != nil {
		err := c.werr
		c.wmu.Unlock()
		return err
	}
	s := len(c.pending)
	c.pending = append(c.pending, c.prefix...)
	copy(c.pending[s+c.idAt:], id)
	c.pending = append(c.pending, payload...)
	c.pending = append(c.pending, c.suffix...)
	if c.writing {
		c.wmu.Unlock()
		return nil
	}
	c.writing = true
	for len(c.pending) > 0 && c.werr == nil {
		out := c.pending
		c.pending = c.spare[:0]
		c.wmu.Unlock()
		_, err := c.conn.Write(out)
		c.wmu.Lock()
		c.spare = out[:0]
		if err != nil {
			c.werr = err
		}
	}
	c.writing = false
	err := c.werr
	c.wmu.Unlock()
	return err
}

// readLoop hands every reply to its caller until the connection ends,
// then fails every caller still waiting.
func (c *Client) readLoop() {
	defer close(c.done)
	r := bufio.NewReaderSize(c.conn, bufferSize)
	want := len(c.frames.Reply) - 4
	var spare []byte
	var id [IDLength]byte
	for {
		body, err := readFrame(r, &spare)
		if err != nil {
			break
		}
		// Only reply frames have the reply's length and its SURB ID
		// marker; the greeting and sent events are skipped.
		if len(body) != want || body[c.replyID-1] != surbidMarker[len(surbidMarker)-1] {
			continue
		}
		copy(id[:], body[c.replyID:])
		c.mu.Lock()
		w := c.waiters[id]
		delete(c.waiters, id)
		c.mu.Unlock()
		if w == nil {
			c.misses.Add(1)
			continue
		}
		copy(w.reply, body[c.replyPay:])
		w.err = nil
		w.ready <- struct{}{}
	}
	c.mu.Lock()
	c.closed = ErrClosed
	waiters := c.waiters
	c.waiters = nil
	c.mu.Unlock()
	for _, w := range waiters {
		w.err = ErrClosed
		w.ready <- struct{}{}
	}
}
