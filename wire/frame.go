package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// DefaultMaxFrameSize is the default limit on a frame body: 40 MiB
// (41,943,040 bytes), the limit of kpclientd releases after v0.0.47.
const DefaultMaxFrameSize = 40 << 20

// HeaderSize is the length of a frame's length prefix.
const HeaderSize = 4

// The reader grows its buffer as bytes arrive rather than trusting the
// length prefix: a peer that announces a large frame and then stalls or
// hangs up costs at most what it actually sent.
const (
	readChunk     = 64 << 10 // first allocation for a large frame
	keepBufferMax = 1 << 20  // a buffer grown beyond this is not kept
)

// Reader reads frames from a stream. It reuses one buffer: the slice that
// ReadFrame returns is valid only until the next call (decoders copy what
// they keep). A Reader is not safe for concurrent use.
type Reader struct {
	r     io.Reader
	limit uint64
	hdr   [HeaderSize]byte
	buf   []byte
}

// NewReader returns a Reader on r that refuses frames longer than limit
// bytes. A limit of 0 or less means DefaultMaxFrameSize.
func NewReader(r io.Reader, limit int) *Reader {
	if limit <= 0 {
		limit = DefaultMaxFrameSize
	}
	return &Reader{r: r, limit: uint64(limit)}
}

// ReadFrame reads one frame and returns its body. At a clean end of stream
// it returns io.EOF; a frame cut short is io.ErrUnexpectedEOF; a length over
// the limit is a *FrameTooLargeError (the stream is then unusable).
func (fr *Reader) ReadFrame() ([]byte, error) {
	if _, err := io.ReadFull(fr.r, fr.hdr[:]); err != nil {
		return nil, err
	}
	n := uint64(binary.BigEndian.Uint32(fr.hdr[:]))
	if n > fr.limit {
		return nil, &FrameTooLargeError{Size: n, Limit: fr.limit}
	}
	if cap(fr.buf) > keepBufferMax {
		fr.buf = nil
	}
	if n <= uint64(cap(fr.buf)) {
		fr.buf = fr.buf[:n]
		if _, err := io.ReadFull(fr.r, fr.buf); err != nil {
			return nil, unexpected(err)
		}
		return fr.buf, nil
	}
	return fr.readGrowing(int(n))
}

// readGrowing reads an n-byte body into a buffer that doubles as data
// arrives, starting from readChunk.
func (fr *Reader) readGrowing(n int) ([]byte, error) {
	buf := fr.buf[:0]
	for len(buf) < n {
		if len(buf) == cap(buf) {
			grow := max(cap(buf), readChunk)
			grow = min(grow, n-len(buf))
			buf = append(buf, make([]byte, grow)...)[:len(buf)]
		}
		end := min(cap(buf), n)
		m, err := io.ReadFull(fr.r, buf[len(buf):end])
		buf = buf[:len(buf)+m]
		if err != nil {
			fr.buf = buf[:0]
			return nil, unexpected(err)
		}
	}
	fr.buf = buf
	return buf, nil
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// AppendFrame appends body to dst behind its length prefix.
func AppendFrame(dst, body []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(body)))
	return append(dst, body...)
}

// beginFrame reserves the length prefix of a frame that the caller
// encodes in place; endFrame fills it in.
func beginFrame(dst []byte) ([]byte, int) {
	return append(dst, 0, 0, 0, 0), len(dst)
}

func endFrame(dst []byte, start int) []byte {
	n := len(dst) - start - HeaderSize
	if uint64(n) > math.MaxUint32 {
		panic(fmt.Sprintf("wire: encoded frame of %d bytes cannot be framed", n))
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(n))
	return dst
}
