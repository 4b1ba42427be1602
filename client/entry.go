package client

import (
	"context"
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

// do runs cl from its start to its end: the one entry every call (the
// sends, Query, DocumentForEpoch and so every Pigeonhole call) passes
// through. It tells the tracer at the start and the end, validates,
// registers the call's ID, takes a start slot for a Pigeonhole start,
// drives the call through its attempts, and leaves a cancel owed for a
// start that was written and ended by its context. then, when not nil,
// turns the call's outcome into the method's error (DocumentForEpoch's
// answer on a v0.0.47 daemon).
func (c *Client) do(ctx context.Context, cl *call, then func(error) error) error {
	var info CallInfo
	if c.traced {
		info = cl.info()
		info.Start = time.Now()
		if tctx := c.tracer.CallStart(ctx, info); tctx != nil {
			ctx = tctx
		}
	}
	err := c.runCall(ctx, cl)
	cl.releaseWake()
	if then != nil {
		err = then(err)
	}
	if c.traced {
		info.Duration = time.Since(info.Start)
		info.Attempts = cl.attempts
		c.tracer.CallEnd(ctx, info, err)
	}
	return err
}

// runCall is do's work between the tracer's calls.
func (c *Client) runCall(ctx context.Context, cl *call) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if cl.query == nil {
		if err := c.validate(&cl.dst, cl.payload); err != nil {
			return err
		}
	}
	if err := c.register(cl); err != nil {
		return err
	}
	defer c.unregister(cl)
	if q := cl.query; q != nil {
		q.req.SetQueryID(wire.QueryID(cl.id))
		q.frame = q.req.AppendFrame(nil)
		if q.start {
			select {
			case c.startSlots <- struct{}{}:
				defer func() { <-c.startSlots }()
			case <-ctx.Done():
				return c.ctxError(ctx)
			}
		}
	}
	c.drive(ctx, cl)
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.err != nil && cl.written && ctx.Err() != nil && cl.query != nil && cl.query.cancel != nil {
		// A start written and ended by its context, wherever that
		// happened, leaves its cancel owed: sent now, or after the next
		// handshake.
		c.sendCancel(cl.query)
	}
	return cl.err
}

// register files cl under a fresh random ID. A random ID that is taken is
// drawn again, so IDs never collide.
func (c *Client) register(cl *call) error {
	for {
		cl.id = newID()
		if c.fut.add(cl.id, cl) {
			break
		}
	}
	// Close fails the calls it finds; one registered after it looked
	// must see that the client is closed.
	if c.closed.Load() {
		c.fut.forget(cl.id, cl)
		return ErrClosed
	}
	return nil
}

// unregister removes every key of cl from the futures map. After it, no
// reader or sweep can reach cl.
func (c *Client) unregister(cl *call) {
	c.fut.forget(cl.id, cl)
	for _, k := range cl.txIDs {
		c.fut.forget(k, cl)
	}
}

// newID draws a random request ID from crypto/rand; a variable so that
// tests can force collisions.
var newID = func() futureKey { return futureKey(wire.NewSURBID()) }
