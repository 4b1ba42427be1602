package client

import (
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

// Reply is the answer to Send or SendReliable.
type Reply struct {
	// Payload is the reply as the daemon delivered it: a service's reply
	// fills the whole SURB payload, zero-padded (docs/protocol.md 5). It is the
	// caller's own memory.
	Payload   []byte
	SURBID    wire.SURBID    // SURB of the answered transmission
	MessageID wire.MessageID // reliable sends only
	SentAt    time.Time      // from the sent event, zero if none came first
	ETA       time.Duration  // daemon's reply ETA, zero if none came first
}

// DaemonInfo describes the daemon the client is connected to.
type DaemonInfo struct {
	// Generation is the dialect the daemon speaks, told from its first
	// frame.
	Generation wire.Generation
	// InstanceToken is the daemon process's token (v0.0.99; zero before).
	InstanceToken wire.Token
	// AppID is the daemon's ID for this application's session (v0.0.99).
	AppID wire.Token
	// Resumed says whether the latest handshake resumed the session.
	Resumed bool
	// MaxPayload is the payload limit in force: WithMaxPayload, else the
	// daemon's UserForwardPayloadLength, else DefaultMaxPayload.
	MaxPayload int
	// Geometry is the daemon's Sphinx geometry (v0.0.99; nil before).
	Geometry *wire.SphinxGeometry
	// PigeonholeGeometry is the daemon's Pigeonhole geometry (v0.0.99;
	// nil before): package pigeonhole checks plaintext sizes against it.
	PigeonholeGeometry *wire.PigeonholeGeometry
}
