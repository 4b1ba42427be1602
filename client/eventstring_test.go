package client_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

func TestEventString(t *testing.T) {
	surb := wire.SURBID{0xab, 0x12, 0x34, 0x56, 0x99}
	msg := wire.MessageID{0xde, 0xad, 0xbe, 0xef, 0x77}
	secret := bytes.Repeat([]byte("SECRET"), 429) // 2574 bytes
	for _, tc := range []struct {
		ev   client.Event
		want string
	}{
		{&client.ConnectionStatus{Connected: true}, "ConnectionStatus{connected}"},
		{&client.ConnectionStatus{Err: errors.New("no gateway")}, `ConnectionStatus{disconnected err="no gateway"}`},
		{&client.NewDocument{Document: &pki.Document{Epoch: 7, Topology: [][]*pki.MixDescriptor{{{}}, {{}}}, ServiceNodes: []*pki.MixDescriptor{{}}}}, "NewDocument{epoch=7 nodes=3}"},
		{&client.DocumentError{Err: errors.New("bad")}, `DocumentError{err="bad"}`},
		{&client.MessageSent{SURBID: surb, ETA: 1500 * time.Millisecond}, "MessageSent{surbid=ab123456.. eta=1.5s}"},
		{&client.MessageSent{MessageID: msg, SURBID: surb, Err: client.ErrSendFailed}, `MessageSent{msgid=deadbeef.. surbid=ab123456.. err="client: daemon failed to send"}`},
		{&client.MessageReply{SURBID: surb, Payload: secret}, "MessageReply{surbid=ab123456.. 2574 bytes}"},
		{&client.MessageReply{MessageID: msg}, "MessageReply{msgid=deadbeef.. surbid=0 0 bytes}"},
		{&client.MessageIDGarbageCollected{MessageID: msg}, "MessageIDGarbageCollected{msgid=deadbeef..}"},
		{&client.Shutdown{}, "Shutdown{}"},
		{&client.ConnectionLost{Err: client.ErrConnectionLost, Final: true}, `ConnectionLost{err="client: connection to the daemon lost" final}`},
		{&client.Reconnected{Attempt: 2, Resumed: true}, "Reconnected{attempt=2 resumed=true}"},
		{&client.EventsDropped{Count: 5}, "EventsDropped{5}"},
	} {
		if got := tc.ev.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
		// %v and %+v, as a log line would print an event, say the same.
		for _, verb := range []string{"%v", "%+v", "%s"} {
			if got := fmt.Sprintf(verb, tc.ev); got != tc.want {
				t.Errorf("Sprintf(%s) = %q, want %q", verb, got, tc.want)
			}
		}
		if strings.Contains(fmt.Sprintf("%+v", tc.ev), "SECRET") {
			t.Errorf("%T prints its payload", tc.ev)
		}
	}
}
