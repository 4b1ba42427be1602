package client

import (
	"fmt"
	"time"

	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

// Event is an event delivered to subscribers (see Client.Subscribe). It is
// one of the pointer types below: the daemon's events (*ConnectionStatus,
// *NewDocument, *MessageSent, *MessageReply, *MessageIDGarbageCollected,
// *Shutdown) and the client's own (*DocumentError, *ConnectionLost,
// *Reconnected, *EventsDropped). Events are shared between subscribers:
// treat them as read-only. Their String methods are short, for logs: IDs
// cut to a prefix, payloads counted and never printed.
type Event interface {
	fmt.Stringer
	isEvent()
}

// ConnectionStatus is the daemon's report on its link to the mixnet.
type ConnectionStatus struct {
	Connected bool
	Err       error // the daemon's error, nil when it sent none
}

// NewDocument carries a new PKI document, already parsed.
type NewDocument struct {
	Document *pki.Document
}

// DocumentError reports a document event whose payload did not parse;
// the client keeps the previous document.
type DocumentError struct {
	Err error
}

// MessageSent says the daemon put a message on the wire, or (Err set)
// that it could not.
type MessageSent struct {
	MessageID wire.MessageID // ARQ sends only, else zero
	SURBID    wire.SURBID
	SentAt    time.Time
	ETA       time.Duration
	Err       error
}

// MessageReply is a reply as the daemon delivered it. Payload is the
// subscriber's own copy.
type MessageReply struct {
	MessageID wire.MessageID // ARQ sends only, else zero
	SURBID    wire.SURBID
	Payload   []byte
	Err       error
}

// MessageIDGarbageCollected says the daemon forgot an ARQ message ID (a
// hint: the v0.0.47 daemon sends some twice and others never).
type MessageIDGarbageCollected struct {
	MessageID wire.MessageID
}

// Shutdown says the daemon is shutting down; a ConnectionLost follows.
type Shutdown struct{}

// ConnectionLost says the socket to the daemon broke. Reconnection, when
// on, follows; Final is set when the client will not reconnect.
type ConnectionLost struct {
	Err   error
	Final bool
}

// Reconnected says the client is connected again after a loss.
type Reconnected struct {
	Attempt int  // reconnection attempts it took (1 is the first)
	Resumed bool // v0.0.99: the daemon resumed the session
}

// EventsDropped says that Count events were dropped for this subscriber
// because its channel was full. It comes before the next event that fits.
type EventsDropped struct {
	Count uint64
}

func (*ConnectionStatus) isEvent()          {}
func (*NewDocument) isEvent()               {}
func (*DocumentError) isEvent()             {}
func (*MessageSent) isEvent()               {}
func (*MessageReply) isEvent()              {}
func (*MessageIDGarbageCollected) isEvent() {}
func (*Shutdown) isEvent()                  {}
func (*ConnectionLost) isEvent()            {}
func (*Reconnected) isEvent()               {}
func (*EventsDropped) isEvent()             {}
