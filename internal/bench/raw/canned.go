package raw

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// bufferSize is the read buffer on both sides of the pair: a reply frame
// (2,767 bytes) and a 2,000-byte request fit many times over.
const bufferSize = 256 << 10

// flushAt is the output that Canned writes at once even while more input
// is buffered, so that a burst of 1,024 requests does not wait for all
// 6 MB of its answers.
const flushAt = 256 << 10

// maxFrame bounds a frame body, as every daemon after v0.0.47 does.
const maxFrame = 40 << 20

// Canned is the canned daemon: it greets every connection with the
// captured handshake and answers every SURB send with the captured sent
// event and reply, carrying the request's SURB ID and, in the reply's
// payload, the request payload's first StampLength bytes. It decodes
// nothing: the SURB ID is at a fixed offset (or found by a byte search),
// and any frame without one (a thin close) is ignored.
type Canned struct {
	frames   *Frames
	l        net.Listener
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	answered atomic.Int64
}

// Listen serves the frames on a fresh abstract Unix socket until Close.
func Listen(f *Frames) (*Canned, error) {
	var b [8]byte
	rand.Read(b[:])
	l, err := net.Listen("unix", "@katzenthin-canned-"+hex.EncodeToString(b[:]))
	if err != nil {
		return nil, err
	}
	d := &Canned{frames: f, l: l, conns: make(map[net.Conn]struct{})}
	d.wg.Add(1)
	go d.accept()
	return d, nil
}

// Addr is the daemon's socket address ("@katzenthin-canned-...").
func (d *Canned) Addr() string { return d.l.Addr().String() }

// Answered is how many SURB sends the daemon has answered.
func (d *Canned) Answered() int64 { return d.answered.Load() }

// Close stops the daemon, closes its connections and waits for its
// goroutines.
func (d *Canned) Close() error {
	err := d.l.Close()
	d.mu.Lock()
	for c := range d.conns {
		c.Close()
	}
	d.mu.Unlock()
	d.wg.Wait()
	return err
}

func (d *Canned) accept() {
	defer d.wg.Done()
	for {
		c, err := d.l.Accept()
		if err != nil {
			return
		}
		d.mu.Lock()
		d.conns[c] = struct{}{}
		d.mu.Unlock()
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			d.serve(c)
			d.mu.Lock()
			delete(d.conns, c)
			d.mu.Unlock()
			c.Close()
		}()
	}
}

// serve answers one connection on one goroutine: read what is there,
// append the answers, and write them when no more input is buffered.
func (d *Canned) serve(c net.Conn) {
	f := d.frames
	if _, err := c.Write(f.Greeting); err != nil {
		return
	}
	r := bufio.NewReaderSize(c, bufferSize)
	out := make([]byte, 0, flushAt+len(f.Sent)+len(f.Reply))
	var spare []byte
	for {
		body, err := readFrame(r, &spare)
		if err != nil {
			return
		}
		out = d.answer(out, body)
		if len(out) >= flushAt || (r.Buffered() == 0 && len(out) > 0) {
			if _, err := c.Write(out); err != nil {
				return
			}
			out = out[:0]
		}
	}
}

// answer appends the sent event and the reply for the request body, or
// nothing when it carries no SURB ID.
func (d *Canned) answer(out, body []byte) []byte {
	f := d.frames
	i := idOffset(body)
	if i < 0 {
		return out
	}
	id := body[i : i+IDLength]
	s := len(out)
	out = append(out, f.Sent...)
	copy(out[s+f.SentID:], id)
	s = len(out)
	out = append(out, f.Reply...)
	copy(out[s+f.ReplyID:], id)
	if p := bytes.Index(body[i+IDLength:], payloadMarker); p >= 0 {
		p += i + IDLength + len(payloadMarker)
		if n, head, ok := bytesHead(body[p:]); ok && p+head+n <= len(body) {
			copy(out[s+f.ReplyPayload:s+f.ReplyPayload+StampLength], body[p+head:p+head+n])
		}
	}
	d.answered.Add(1)
	return out
}

// readFrame reads one frame's body: a view of r's buffer when it fits
// (valid until the next read), else into *spare, grown as needed.
func readFrame(r *bufio.Reader, spare *[]byte) ([]byte, error) {
	hdr, err := r.Peek(4)
	if err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint32(hdr))
	if n > maxFrame {
		return nil, fmt.Errorf("raw: frame of %d bytes", n)
	}
	if 4+n <= r.Size() {
		b, err := r.Peek(4 + n)
		if err != nil {
			return nil, err
		}
		r.Discard(4 + n)
		return b[4:], nil
	}
	r.Discard(4)
	if n > cap(*spare) {
		*spare = make([]byte, n)
	}
	buf := (*spare)[:n]
	_, err = io.ReadFull(r, buf)
	return buf, err
}
