// Package floor is the baseline of the performance harness: the least a
// thin client and daemon pair must do for one SURB round trip, written
// the plain way with no katzenthin code at all (it imports only the
// standard library and fxamacker/cbor, which `go list -deps` shows).
//
// A round trip forces: the client draws a random SURB ID, encodes one
// request frame (a 4-byte big-endian length and a CBOR map with the
// v0.0.47 request keys) and queues it; the server decodes the request and
// encodes two response frames, the sent event and the reply, whose payload
// is the message zero-padded to ReplySize as the real echo service's is;
// the client decodes both and hands the reply to its caller by SURB ID.
//
// It is a fair floor, not a straw man: preconfigured cbor modes, buffered
// reads on both sides, a server that flushes only when no more input is
// buffered, a client with one writer goroutine that drains every queued
// frame into one write and one reader goroutine that resolves a
// mutex-guarded map of per-ID buffered channels.
package floor

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// ReplySize is the length the server zero-pads reply payloads to: 2,574
// bytes, the SURB payload of the captured networks.
const ReplySize = 2574

// bufferSize is the bufio buffer on every side.
const bufferSize = 64 << 10

// maxFrame bounds a frame body, as every daemon after v0.0.47 does.
const maxFrame = 40 << 20

// replyETA is what the server's sent events report.
const replyETA = 100 * time.Millisecond

// Request is the v0.0.47 request map, every key written as the Go
// daemon's encoder writes it.
type Request struct {
	ID                []byte `cbor:"id"`
	WithSURB          bool   `cbor:"with_surb"`
	SURBID            []byte `cbor:"surbid"`
	DestinationIDHash []byte `cbor:"destination_id_hash"`
	RecipientQueueID  []byte `cbor:"recipient_queue_id"`
	Payload           []byte `cbor:"payload"`
	IsSendOp          bool   `cbor:"is_send_op"`
	IsARQSendOp       bool   `cbor:"is_arq_send_op"`
	IsLoopDecoy       bool   `cbor:"is_loop_decoy"`
	IsDropDecoy       bool   `cbor:"is_drop_decoy"`
	IsThinClose       bool   `cbor:"is_thin_close"`
}

// Response is the v0.0.47 response envelope: six keys, one non-null.
type Response struct {
	Shutdown         *struct{}   `cbor:"shudown_event"`
	ConnectionStatus *struct{}   `cbor:"connection_status_event"`
	NewPKIDocument   *struct{}   `cbor:"new_pki_document_event"`
	MessageSent      *SentEvent  `cbor:"message_sent_event"`
	MessageReply     *ReplyEvent `cbor:"message_reply_event"`
	GarbageCollected *struct{}   `cbor:"message_id_garbage_collected"`
}

// SentEvent is message_sent_event.
type SentEvent struct {
	MessageID []byte    `cbor:"message_id"`
	SURBID    []byte    `cbor:"surbid"`
	SentAt    uint64    `cbor:"sent_at"`
	ReplyETA  uint64    `cbor:"reply_eta"`
	Err       *struct{} `cbor:"err"`
}

// ReplyEvent is message_reply_event.
type ReplyEvent struct {
	MessageID []byte    `cbor:"message_id"`
	SURBID    []byte    `cbor:"surbid"`
	Payload   []byte    `cbor:"payload"`
	Err       *struct{} `cbor:"err"`
}

var (
	encMode = func() cbor.UserBufferEncMode {
		em, err := cbor.EncOptions{}.UserBufferEncMode()
		if err != nil {
			panic(err)
		}
		return em
	}()
	decMode = func() cbor.DecMode {
		dm, err := cbor.DecOptions{}.DecMode()
		if err != nil {
			panic(err)
		}
		return dm
	}()
)

// EncodeRequest returns r as one frame.
func EncodeRequest(r *Request) ([]byte, error) {
	body, err := encMode.Marshal(r)
	if err != nil {
		return nil, err
	}
	return append(binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(body)), uint32(len(body))), body...), nil
}

// DecodeResponse decodes a response body into a fresh Response.
func DecodeResponse(body []byte) (*Response, error) {
	r := new(Response)
	if err := decMode.Unmarshal(body, r); err != nil {
		return nil, err
	}
	return r, nil
}

// frameReader reads frames into one reused buffer.
type frameReader struct {
	r    *bufio.Reader
	hdr  [4]byte
	body []byte
}

func (f *frameReader) next() ([]byte, error) {
	if _, err := io.ReadFull(f.r, f.hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(f.hdr[:])
	if n > maxFrame {
		return nil, fmt.Errorf("floor: frame of %d bytes", n)
	}
	if int(n) > cap(f.body) {
		f.body = make([]byte, n)
	}
	f.body = f.body[:n]
	if _, err := io.ReadFull(f.r, f.body); err != nil {
		return nil, err
	}
	return f.body, nil
}

// Server is the daemon side: it answers every SURB send with a sent
// event and the echo reply.
type Server struct {
	l    net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	conn map[net.Conn]struct{}
}

// Listen serves on a fresh abstract Unix socket.
func Listen() (*Server, error) {
	var b [8]byte
	rand.Read(b[:])
	l, err := net.Listen("unix", "@katzenthin-floor-"+hex.EncodeToString(b[:]))
	if err != nil {
		return nil, err
	}
	return Serve(l), nil
}

// Serve serves on l until Close.
func Serve(l net.Listener) *Server {
	s := &Server{l: l, conn: make(map[net.Conn]struct{})}
	s.wg.Add(1)
	go s.accept()
	return s
}

// Addr is the server's socket address.
func (s *Server) Addr() string { return s.l.Addr().String() }

// Close stops the server and waits for its goroutines.
func (s *Server) Close() error {
	err := s.l.Close()
	s.mu.Lock()
	for c := range s.conn {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.l.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conn[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(c)
	}
}

func (s *Server) serve(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conn, c)
		s.mu.Unlock()
		c.Close()
	}()
	fr := frameReader{r: bufio.NewReaderSize(c, bufferSize)}
	bw := bufio.NewWriterSize(c, bufferSize)
	var out bytes.Buffer
	pad := make([]byte, ReplySize)
	write := func(r *Response) error {
		out.Reset()
		out.Write([]byte{0, 0, 0, 0})
		if err := encMode.MarshalToBuffer(r, &out); err != nil {
			return err
		}
		b := out.Bytes()
		binary.BigEndian.PutUint32(b, uint32(len(b)-4))
		_, err := bw.Write(b)
		return err
	}
	for {
		body, err := fr.next()
		if err != nil {
			return
		}
		var req Request
		if err := decMode.Unmarshal(body, &req); err != nil {
			return
		}
		if !req.IsSendOp || !req.WithSURB {
			continue
		}
		sent := SentEvent{SURBID: req.SURBID, SentAt: uint64(time.Now().Unix()), ReplyETA: uint64(replyETA)}
		if write(&Response{MessageSent: &sent}) != nil {
			return
		}
		n := copy(pad, req.Payload)
		clear(pad[n:])
		reply := ReplyEvent{SURBID: req.SURBID, Payload: pad}
		if write(&Response{MessageReply: &reply}) != nil {
			return
		}
		if fr.r.Buffered() == 0 {
			if bw.Flush() != nil {
				return
			}
		}
	}
}

// ErrClosed is returned by calls on a closed client.
var ErrClosed = errors.New("floor: closed")

// Client is the thin-client side for any number of concurrent callers.
type Client struct {
	conn  net.Conn
	dst   []byte
	queue []byte

	mu      sync.Mutex
	pending []byte // frames waiting for the writer
	kick    chan struct{}

	fmu     sync.Mutex
	futures map[[16]byte]chan []byte

	done chan struct{}
	once sync.Once
	wg   sync.WaitGroup
	err  error // set before done is closed
}

// Dial connects to a Server.
func Dial(addr string) (*Client, error) {
	conn, err := net.Dial("unix", addr)
	if err != nil {
		return nil, err
	}
	return NewClient(conn), nil
}

// NewClient runs a Client on conn, which it closes on Close.
func NewClient(conn net.Conn) *Client {
	dst := make([]byte, 32)
	rand.Read(dst)
	c := &Client{
		conn:    conn,
		dst:     dst,
		queue:   []byte("+echo"),
		kick:    make(chan struct{}, 1),
		futures: make(map[[16]byte]chan []byte),
		done:    make(chan struct{}),
	}
	c.wg.Add(2)
	go c.writeLoop()
	go c.readLoop()
	return c
}

// Call sends payload with a SURB and waits for the reply's payload.
func (c *Client) Call(ctx context.Context, payload []byte) ([]byte, error) {
	var id [16]byte
	rand.Read(id[:])
	ch := make(chan []byte, 1)
	c.fmu.Lock()
	c.futures[id] = ch
	c.fmu.Unlock()
	frame, err := EncodeRequest(&Request{
		IsSendOp: true, WithSURB: true, SURBID: id[:],
		DestinationIDHash: c.dst, RecipientQueueID: c.queue, Payload: payload,
	})
	if err != nil {
		c.forget(id)
		return nil, err
	}
	c.mu.Lock()
	c.pending = append(c.pending, frame...)
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}
	select {
	case p := <-ch:
		return p, nil
	case <-ctx.Done():
		c.forget(id)
		return nil, ctx.Err()
	case <-c.done:
		c.forget(id)
		return nil, c.err
	}
}

func (c *Client) forget(id [16]byte) {
	c.fmu.Lock()
	delete(c.futures, id)
	c.fmu.Unlock()
}

func (c *Client) writeLoop() {
	defer c.wg.Done()
	var buf []byte
	for {
		select {
		case <-c.kick:
		case <-c.done:
			return
		}
		c.mu.Lock()
		buf, c.pending = c.pending, buf[:0]
		c.mu.Unlock()
		if _, err := c.conn.Write(buf); err != nil {
			c.fail(err)
			return
		}
	}
}

func (c *Client) readLoop() {
	defer c.wg.Done()
	fr := frameReader{r: bufio.NewReaderSize(c.conn, bufferSize)}
	for {
		body, err := fr.next()
		if err != nil {
			c.fail(err)
			return
		}
		r, err := DecodeResponse(body)
		if err != nil {
			c.fail(err)
			return
		}
		if r.MessageReply == nil || len(r.MessageReply.SURBID) != 16 {
			continue // the sent event: nothing to do
		}
		id := [16]byte(r.MessageReply.SURBID)
		c.fmu.Lock()
		ch := c.futures[id]
		delete(c.futures, id)
		c.fmu.Unlock()
		if ch != nil {
			ch <- r.MessageReply.Payload
		}
	}
}

func (c *Client) fail(err error) {
	c.once.Do(func() {
		c.err = fmt.Errorf("%w: %w", ErrClosed, err)
		close(c.done)
		c.conn.Close()
	})
}

// Close closes the connection and waits for the client's goroutines.
func (c *Client) Close() error {
	c.fail(net.ErrClosed)
	c.wg.Wait()
	return nil
}

// SyncClient is the one-caller client: the caller writes its frame and
// reads both responses itself, with no goroutine in between. It is the
// lower bound for one call at a time; not safe for concurrent use.
type SyncClient struct {
	conn net.Conn
	fr   frameReader
	dst  []byte
}

// DialSync connects a SyncClient to a Server.
func DialSync(addr string) (*SyncClient, error) {
	conn, err := net.Dial("unix", addr)
	if err != nil {
		return nil, err
	}
	dst := make([]byte, 32)
	rand.Read(dst)
	return &SyncClient{conn: conn, fr: frameReader{r: bufio.NewReaderSize(conn, bufferSize)}, dst: dst}, nil
}

// Call sends payload with a SURB and returns the reply's payload.
func (c *SyncClient) Call(payload []byte) ([]byte, error) {
	var id [16]byte
	rand.Read(id[:])
	frame, err := EncodeRequest(&Request{
		IsSendOp: true, WithSURB: true, SURBID: id[:],
		DestinationIDHash: c.dst, RecipientQueueID: []byte("+echo"), Payload: payload,
	})
	if err != nil {
		return nil, err
	}
	if _, err := c.conn.Write(frame); err != nil {
		return nil, err
	}
	for {
		body, err := c.fr.next()
		if err != nil {
			return nil, err
		}
		r, err := DecodeResponse(body)
		if err != nil {
			return nil, err
		}
		if r.MessageReply != nil && bytes.Equal(r.MessageReply.SURBID, id[:]) {
			return r.MessageReply.Payload, nil
		}
	}
}

// Close closes the connection.
func (c *SyncClient) Close() error { return c.conn.Close() }
