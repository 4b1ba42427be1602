package client

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

// The String methods below keep events short enough for a log line: IDs
// are cut to their first bytes (enough to tell calls apart by eye, and
// still greppable), and payloads are counted, never printed.

// shortID is an ID's first four bytes in hex and "..", or "0" for the
// zero ID (a field the event did not carry).
func shortID(id [wire.IDLength]byte) string {
	if id == ([wire.IDLength]byte{}) {
		return "0"
	}
	return hex.EncodeToString(id[:4]) + ".."
}

// errSuffix is " err=..." or nothing.
func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return fmt.Sprintf(" err=%q", err.Error())
}

// String says whether the daemon is connected, and its error.
func (e *ConnectionStatus) String() string {
	state := "connected"
	if !e.Connected {
		state = "disconnected"
	}
	return "ConnectionStatus{" + state + errSuffix(e.Err) + "}"
}

// String names the document's epoch and its number of nodes.
func (e *NewDocument) String() string {
	if e.Document == nil {
		return "NewDocument{nil}"
	}
	d := e.Document
	n := len(d.GatewayNodes) + len(d.ServiceNodes)
	for _, layer := range d.Topology {
		n += len(layer)
	}
	return fmt.Sprintf("NewDocument{epoch=%d nodes=%d}", d.Epoch, n)
}

// String gives the parse error.
func (e *DocumentError) String() string {
	return "DocumentError{" + strings.TrimPrefix(errSuffix(e.Err), " ") + "}"
}

// String gives the IDs (shortened), the ETA and the error.
func (e *MessageSent) String() string {
	var b strings.Builder
	b.WriteString("MessageSent{")
	if e.MessageID != (wire.MessageID{}) {
		b.WriteString("msgid=" + shortID(e.MessageID) + " ")
	}
	b.WriteString("surbid=" + shortID(e.SURBID))
	if e.ETA > 0 {
		fmt.Fprintf(&b, " eta=%v", e.ETA.Round(time.Millisecond))
	}
	b.WriteString(errSuffix(e.Err) + "}")
	return b.String()
}

// String gives the IDs (shortened), the payload's length (never its
// bytes) and the error.
func (e *MessageReply) String() string {
	var b strings.Builder
	b.WriteString("MessageReply{")
	if e.MessageID != (wire.MessageID{}) {
		b.WriteString("msgid=" + shortID(e.MessageID) + " ")
	}
	fmt.Fprintf(&b, "surbid=%s %d bytes%s}", shortID(e.SURBID), len(e.Payload), errSuffix(e.Err))
	return b.String()
}

// String gives the message ID (shortened).
func (e *MessageIDGarbageCollected) String() string {
	return "MessageIDGarbageCollected{msgid=" + shortID(e.MessageID) + "}"
}

// String is "Shutdown{}".
func (e *Shutdown) String() string { return "Shutdown{}" }

// String gives the cause and whether the client gives up.
func (e *ConnectionLost) String() string {
	final := ""
	if e.Final {
		final = " final"
	}
	return "ConnectionLost{" + strings.TrimPrefix(errSuffix(e.Err)+final, " ") + "}"
}

// String gives the attempts it took and whether the session resumed.
func (e *Reconnected) String() string {
	return fmt.Sprintf("Reconnected{attempt=%d resumed=%t}", e.Attempt, e.Resumed)
}

// String gives the count.
func (e *EventsDropped) String() string { return fmt.Sprintf("EventsDropped{%d}", e.Count) }
