package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/wire"
)

// errNoGeometry: the daemon announced no Pigeonhole geometry, so the
// size of a box is not known.
var errNoGeometry = errors.New("the daemon announced no Pigeonhole geometry: cannot tell the size of a box")

// session is a connection to a daemon that speaks Pigeonhole.
type session struct {
	c            *client.Client
	maxPlaintext int // the bytes a box holds
	close        func()
}

// connect dials the daemon the flags name (or starts the bundled mock)
// and checks that it speaks Pigeonhole. Its errors say what to do: no
// daemon, an old daemon.
func connect(ctx context.Context, f *common, stderr io.Writer) (*session, error) {
	c, cleanup, err := f.daemon.Connect(ctx, stderr)
	if err != nil {
		return nil, err
	}
	d := c.Daemon()
	if d.Generation != wire.Generation99 {
		cleanup()
		return nil, fmt.Errorf("the daemon at %s is kpclientd %s, which has no Pigeonhole: katzenthin-cp needs kpclientd v0.0.99: %w",
			f.daemon.Address(), d.Generation, client.ErrUnsupported)
	}
	g := d.PigeonholeGeometry
	if g == nil || g.MaxPlaintextPayloadLength <= maxHeaderLen {
		cleanup()
		return nil, errNoGeometry
	}
	if !c.Connected() {
		fmt.Fprintln(stderr, "katzenthin-cp: the daemon has no connection to the mixnet yet: writes and reads wait until it has one")
	}
	return &session{c: c, maxPlaintext: g.MaxPlaintextPayloadLength, close: cleanup}, nil
}
