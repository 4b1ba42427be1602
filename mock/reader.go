package mock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/katzenthin/katzenthin/wire"
)

// readLoop reads and handles requests until the connection ends. A frame
// over wire.DefaultMaxFrameSize ends it (recorded as a violation).
func (c *conn) readLoop() {
	defer c.d.wg.Done()
	fr := wire.NewReader(bufio.NewReaderSize(c.nc, readBufferSize), wire.DefaultMaxFrameSize)
	var (
		dec   requestDecoder
		req47 wire.Request
		req99 wire.Request99
	)
	for {
		body, err := fr.ReadFrame()
		if err != nil {
			var tooLarge *wire.FrameTooLargeError
			if errors.As(err, &tooLarge) {
				c.violate(fmt.Sprintf("frame of %d bytes over the %d-byte limit", tooLarge.Size, tooLarge.Limit))
				c.d.requestDone()
			}
			c.end(endLost)
			return
		}
		select {
		case <-c.stop: // ended meanwhile: buffered requests go unread
			return
		default:
		}
		var stop bool
		if c.d.gen == wire.Generation99 {
			stop = c.handle99(body, &dec, &req99)
		} else {
			stop = c.handle47(body, &dec, &req47)
		}
		c.d.requestDone()
		if stop {
			return
		}
	}
}

// logRequest logs a request's kind at Debug; it costs nothing when the
// logger does not want Debug.
func (c *conn) logRequest(kind string) {
	l := c.d.log
	if !l.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	l.LogAttrs(context.Background(), slog.LevelDebug, "mock: request",
		slog.String("kind", kind), slog.String("app", c.appID().String()))
}
