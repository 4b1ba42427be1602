package pigeonhole

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/wire"
)

// Client makes the Pigeonhole calls of docs/protocol.md 9.6 on a client's
// daemon connection. Every call takes a context, blocks until its reply
// and survives reconnections (the request is asked again after each
// handshake). It is safe for concurrent use.
type Client struct {
	c         *client.Client
	o         options
	refreshes atomic.Int64 // read refreshes, for Stats
}

// New returns the Pigeonhole calls of c, configured by opts. One is
// enough per client.Client; it keeps no state beyond its options and
// counters (Stats).
func New(c *client.Client, opts ...Option) *Client {
	p := &Client{c: c, o: defaultOptions()}
	for _, o := range opts {
		if o != nil {
			o(&p.o)
		}
	}
	return p
}

// Limits the client checks before sending (docs/protocol.md 9.4, 9.12): the
// daemon closes the connection for a wrong-length cap or index, and
// refuses the rest with code 3.
const (
	// SeedSize is the length of a new_keypair seed.
	SeedSize = 32
	// MaxPayload is the largest payload of one create_courier_envelopes
	// call (per destination for the multi-payload form): 10 MiB.
	MaxPayload = 10 << 20
)

// ErrMalformedReply: the daemon answered with a reply whose fields do not
// fit the request (a cap, index or hash of the wrong size, a missing
// field).
var ErrMalformedReply = errors.New("pigeonhole: malformed reply")

// query sends req and returns its reply (Query matched it by type). On
// a daemon without Pigeonhole the error says which version it needs.
func (p *Client) query(ctx context.Context, req *wire.Request99, o client.QueryOptions) (*wire.Response, error) {
	resp, err := p.c.Query(ctx, req, o)
	if errors.Is(err, client.ErrUnsupported) {
		return nil, fmt.Errorf("pigeonhole needs kpclientd v0.0.99: %w", err)
	}
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// maxPlaintext is the daemon's box payload limit, 0 when unknown.
func (p *Client) maxPlaintext() int {
	if g := p.c.Daemon().PigeonholeGeometry; g != nil && g.MaxPlaintextPayloadLength > 0 {
		return g.MaxPlaintextPayloadLength
	}
	return 0
}

// checkPlaintext refuses a box plaintext the daemon would refuse: nil
// (use an empty, non-nil slice for a tombstone) or longer than the
// geometry allows.
func (p *Client) checkPlaintext(plaintext []byte) error {
	if plaintext == nil {
		return fmt.Errorf("%w: nil plaintext (a tombstone is an empty, non-nil one)", ErrInvalidRequest)
	}
	if limit := p.maxPlaintext(); limit > 0 && len(plaintext) > limit {
		return &SizeError{What: "plaintext", Got: len(plaintext), Max: limit}
	}
	return nil
}

// SizeError is a value longer than the daemon accepts.
type SizeError struct {
	What     string // "plaintext", "payload"
	Got, Max int
}

// Error says what and by how much.
func (e *SizeError) Error() string {
	return fmt.Sprintf("pigeonhole: %s of %d bytes, at most %d", e.What, e.Got, e.Max)
}

// Unwrap returns ErrInvalidLength.
func (e *SizeError) Unwrap() error { return ErrInvalidLength }

// fixed copies b into dst if it has exactly dst's length.
func fixed(dst, b []byte, what string) error {
	if len(b) != len(dst) {
		return fmt.Errorf("%w: %s of %d bytes, want %d", ErrMalformedReply, what, len(b), len(dst))
	}
	copy(dst, b)
	return nil
}

// callError names the call in front of a reply's error.
func callError(call string, err error) error {
	if err == nil {
		return nil
	}
	return &callErr{call: call, err: err}
}

// callErr is an error of one call: "pigeonhole: <call>: <error>", without
// repeating the package name of the wrapped error.
type callErr struct {
	call string
	err  error
}

func (e *callErr) Error() string {
	return "pigeonhole: " + e.call + ": " + strings.TrimPrefix(e.err.Error(), "pigeonhole: ")
}

func (e *callErr) Unwrap() error { return e.err }
