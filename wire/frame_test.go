package wire_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/katzenthin/katzenthin/wire"
)

func frame(body []byte) []byte { return wire.AppendFrame(nil, body) }

func TestReadFrame(t *testing.T) {
	bodies := [][]byte{{0xa0}, bytes.Repeat([]byte{7}, 100<<10), {}, bytes.Repeat([]byte{9}, 3000)}
	var stream []byte
	for _, b := range bodies {
		stream = append(stream, frame(b)...)
	}
	// A reader that hands out one byte at a time exercises every partial read.
	for name, r := range map[string]io.Reader{
		"whole":    bytes.NewReader(stream),
		"trickled": iotest.OneByteReader(bytes.NewReader(stream)),
	} {
		t.Run(name, func(t *testing.T) {
			fr := wire.NewReader(r, 0)
			for i, want := range bodies {
				got, err := fr.ReadFrame()
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("frame %d: %d bytes, %v", i, len(got), err)
				}
			}
			if _, err := fr.ReadFrame(); err != io.EOF {
				t.Fatalf("at end: %v, want io.EOF", err)
			}
		})
	}
}

func TestReadFrameTooLarge(t *testing.T) {
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], 1001)
	_, err := wire.NewReader(bytes.NewReader(hdr[:]), 1000).ReadFrame()
	var tl *wire.FrameTooLargeError
	if !errors.Is(err, wire.ErrFrameTooLarge) || !errors.As(err, &tl) || tl.Size != 1001 || tl.Limit != 1000 {
		t.Fatalf("err = %v", err)
	}
	// The default limit is 40 MiB.
	binary.BigEndian.PutUint32(hdr[:], wire.DefaultMaxFrameSize+1)
	if _, err := wire.NewReader(bytes.NewReader(hdr[:]), 0).ReadFrame(); !errors.Is(err, wire.ErrFrameTooLarge) {
		t.Fatalf("err = %v", err)
	}
}

func TestReadFrameTruncated(t *testing.T) {
	whole := frame(bytes.Repeat([]byte{1}, 200<<10))
	for _, n := range []int{1, 3, 4, 5, 100, 70 << 10, len(whole) - 1} {
		_, err := wire.NewReader(bytes.NewReader(whole[:n]), 0).ReadFrame()
		if err != io.ErrUnexpectedEOF {
			t.Fatalf("cut at %d: %v, want io.ErrUnexpectedEOF", n, err)
		}
	}
}

// TestReadFrameDoesNotTrustLength: a peer announcing 40 MiB and sending
// 10 bytes must not make the reader allocate 40 MiB.
func TestReadFrameDoesNotTrustLength(t *testing.T) {
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], wire.DefaultMaxFrameSize)
	stream := append(hdr[:], make([]byte, 10)...)
	allocs := testing.AllocsPerRun(10, func() {
		wire.NewReader(bytes.NewReader(stream), 0).ReadFrame()
	})
	var ms0, ms1 runtimeMem
	ms0.read()
	for range 10 {
		wire.NewReader(bytes.NewReader(stream), 0).ReadFrame()
	}
	ms1.read()
	if per := (ms1.total - ms0.total) / 10; per > 1<<20 {
		t.Fatalf("%d bytes allocated per truncated 40 MiB frame (%v allocs)", per, allocs)
	}
}

func TestReadFrameReusesBuffer(t *testing.T) {
	var stream []byte
	for range 100 {
		stream = append(stream, frame(make([]byte, 2600))...)
	}
	fr := wire.NewReader(bytes.NewReader(stream), 0)
	fr.ReadFrame()
	if a := testing.AllocsPerRun(50, func() { fr.ReadFrame() }); a != 0 {
		t.Fatalf("%v allocations per frame, want 0", a)
	}
}

// countingWriter counts Write calls.
func TestAppendFrameRoundTrip(t *testing.T) {
	var w bytes.Buffer
	body := []byte{0xa1, 0x61, 'a', 0x01}
	w.Write(wire.AppendFrame(nil, body))
	if !bytes.Equal(w.Bytes(), frame(body)) {
		t.Fatalf("frame %x", w.Bytes())
	}
	got, err := wire.NewReader(&w, 0).ReadFrame()
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("round trip: %x %v", got, err)
	}
}

func TestAppendFrameEncodesLength(t *testing.T) {
	r := &wire.Request{IsThinClose: true}
	f := r.AppendFrame(nil)
	if n := binary.BigEndian.Uint32(f); int(n) != len(f)-wire.HeaderSize || !bytes.Equal(f[4:], r.Marshal()) {
		t.Fatalf("prefix %d for a %d-byte body", n, len(f)-4)
	}
}
