package client_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/wire"
)

// cborMap builds a response body {key: value} from pre-encoded CBOR.
func cborMap(key string, value []byte) []byte {
	b := []byte{0xa1, 0x60 | byte(len(key))}
	if len(key) >= 24 {
		b = []byte{0xa1, 0x78, byte(len(key))}
	}
	return append(append(b, key...), value...)
}

// replyWithSURBField is a message_reply_event whose surbid is raw CBOR.
func replyWithSURBField(surbid []byte) []byte {
	inner := append([]byte{0xa1, 0x66}, "surbid"...)
	return cborMap("message_reply_event", append(inner, surbid...))
}

// TestHostileDaemonAfterHandshake: a daemon that misbehaves while a call
// waits. Each case either ends the call with a typed error or, where the
// oddity is harmless, lets it complete.
func TestHostileDaemonAfterHandshake(t *testing.T) {
	for _, tc := range []struct {
		name string
		// act misbehaves in answer to req; it may also answer properly.
		act func(c *fakeConn, req *wire.Request)
		// want is the error the call ends with; nil means the call
		// gets its echo.
		want []error
	}{
		{"length over the limit", func(c *fakeConn, _ *wire.Request) {
			c.Write([]byte{0x7f, 0xff, 0xff, 0xff})
		}, []error{client.ErrConnectionLost, client.ErrProtocol, wire.ErrFrameTooLarge}},
		{"frame cut short then EOF", func(c *fakeConn, _ *wire.Request) {
			c.Write([]byte{0, 0, 1, 0, 0xa1})
			c.Close()
		}, []error{client.ErrConnectionLost, io.ErrUnexpectedEOF}},
		{"not CBOR", func(c *fakeConn, _ *wire.Request) {
			c.sendRaw([]byte{0xff, 0xfe, 0xfd})
		}, []error{client.ErrConnectionLost, client.ErrProtocol, wire.ErrMalformed}},
		{"ID of the wrong length", func(c *fakeConn, _ *wire.Request) {
			c.sendRaw(replyWithSURBField(append([]byte{0x4f}, make([]byte, 15)...)))
		}, []error{client.ErrConnectionLost, client.ErrProtocol}},
		{"text where bytes belong", func(c *fakeConn, _ *wire.Request) {
			c.sendRaw(replyWithSURBField(append([]byte{0x70}, "0123456789abcdef"...)))
		}, []error{client.ErrConnectionLost, client.ErrProtocol}},
		{"array where a map belongs", func(c *fakeConn, _ *wire.Request) {
			c.sendRaw(cborMap("message_reply_event", []byte{0x82, 0x01, 0x02}))
		}, []error{client.ErrConnectionLost, client.ErrProtocol}},
		{"a frame with two events", func(c *fakeConn, req *wire.Request) {
			c.send(&wire.Response{
				MessageSent:  &wire.MessageSentEvent{SURBID: req.SURBID},
				MessageReply: &wire.MessageReplyEvent{SURBID: req.SURBID, Payload: pad(req.Payload)},
			})
		}, []error{client.ErrConnectionLost, client.ErrProtocol, wire.ErrManyEvents}},
		{"shutdown event", func(c *fakeConn, _ *wire.Request) {
			c.send(&wire.Response{Shutdown: &wire.ShutdownEvent{}})
		}, []error{client.ErrConnectionLost}},
		{"a frame with no event is ignored", func(c *fakeConn, req *wire.Request) {
			c.sendRaw((&wire.Response{}).Marshal(wire.Generation47))
			c.answer(req)
		}, nil},
		{"unknown event keys are ignored", func(c *fakeConn, req *wire.Request) {
			c.sendRaw(cborMap("voucher_mint_reply", []byte{0xa1, 0x61, 'x', 0x01}))
			c.answer(req)
		}, nil},
		{"replies for unknown IDs are dropped", func(c *fakeConn, req *wire.Request) {
			other := wire.NewSURBID()
			c.send(&wire.Response{MessageReply: &wire.MessageReplyEvent{SURBID: &other, Payload: []byte("not yours")}})
			c.answer(req)
		}, nil},
		{"duplicate replies are dropped", func(c *fakeConn, req *wire.Request) {
			c.answer(req)
			c.answer(req)
		}, nil},
		{"a reply before its sent event", func(c *fakeConn, req *wire.Request) {
			c.send(&wire.Response{MessageReply: &wire.MessageReplyEvent{SURBID: req.SURBID, Payload: pad(req.Payload)}})
			c.send(&wire.Response{MessageSent: &wire.MessageSentEvent{SURBID: req.SURBID}})
		}, nil},
		{"a frame trickled a byte at a time", func(c *fakeConn, req *wire.Request) {
			frame := (&wire.Response{MessageReply: &wire.MessageReplyEvent{SURBID: req.SURBID, Payload: pad(req.Payload)}}).AppendFrame(nil, wire.Generation47)
			for i := range frame {
				if _, err := c.Write(frame[i : i+1]); err != nil {
					return
				}
			}
		}, nil},
		{"a gc event for an unknown ID", func(c *fakeConn, req *wire.Request) {
			id := wire.NewMessageID()
			c.send(&wire.Response{MessageIDGarbageCollected: &wire.MessageIDGarbageCollected{MessageID: &id}})
			c.answer(req)
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := startFake(t, func(c *fakeConn) {
				c.greet(t)
				req, err := c.readRequest()
				if err != nil {
					return
				}
				tc.act(c, req)
				c.echoLoop(nil)
			})
			c := f.mustDial(t)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			r, err := c.Send(ctx, echoDst(t, c), []byte("probe"))
			if tc.want == nil {
				if err != nil || !bytes.HasPrefix(r.Payload, []byte("probe")) {
					t.Fatalf("Send = %q, %v; want the echo", r.Payload, err)
				}
				if tc.name == "replies for unknown IDs are dropped" || tc.name == "duplicate replies are dropped" {
					// One more round trip: the reader has seen everything.
					if _, err := c.Send(ctx, echoDst(t, c), []byte("x")); err != nil {
						t.Fatal(err)
					}
					if c.Stats().LateReplies == 0 {
						t.Fatal("the stray reply was not counted")
					}
				}
				return
			}
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Fatalf("Send = %v, want errors.Is %v", err, w)
				}
			}
		})
	}
}

// TestHostileDaemonDuringHandshake: Dial fails with a typed error.
func TestHostileDaemonDuringHandshake(t *testing.T) {
	overLimit := make([]byte, 4)
	binary.BigEndian.PutUint32(overLimit, 1<<31)
	for _, tc := range []struct {
		name  string
		greet func(c *fakeConn)
		want  error
	}{
		{"a reply instead of the status", func(c *fakeConn) {
			id := wire.NewSURBID()
			c.send(&wire.Response{MessageReply: &wire.MessageReplyEvent{SURBID: &id}})
		}, client.ErrProtocol},
		{"a status instead of the document", func(c *fakeConn) {
			c.sendRaw(captured(t, "47", "01-connection_status_event"))
			c.sendRaw(captured(t, "47", "01-connection_status_event"))
		}, client.ErrProtocol},
		{"a document that does not parse", func(c *fakeConn) {
			c.sendRaw(captured(t, "47", "01-connection_status_event"))
			c.send(&wire.Response{NewPKIDocument: &wire.NewPKIDocumentEvent{Payload: []byte{0x01}}})
		}, client.ErrHandshakeTimeout},
		{"not CBOR", func(c *fakeConn) { c.sendRaw([]byte("hello")) }, client.ErrProtocol},
		{"length over the limit", func(c *fakeConn) { c.Write(overLimit) }, client.ErrProtocol},
		{"hang up", func(c *fakeConn) { c.Close() }, client.ErrConnectionLost},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := startFake(t, func(c *fakeConn) { tc.greet(c); c.readRequest() })
			_, err := f.dial(t, client.WithHandshakeTimeout(100*time.Millisecond))
			if !errors.Is(err, tc.want) {
				t.Fatalf("Dial = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestBadDocumentLaterKeepsTheOldOne: a pushed document that does not
// parse is reported to subscribers and the previous one is kept.
func TestBadDocumentLaterKeepsTheOldOne(t *testing.T) {
	push, pushGood := make(chan struct{}), make(chan struct{})
	f := startFake(t, func(c *fakeConn) {
		c.greet(t)
		<-push
		c.send(&wire.Response{NewPKIDocument: &wire.NewPKIDocumentEvent{Payload: []byte{0xa1, 0x01}}})
		<-pushGood
		c.sendRaw(captured(t, "47", "07-new_pki_document_event-gcwait"))
		c.echoLoop(nil)
	})
	c := f.mustDial(t)
	events, cancel := c.Subscribe()
	defer cancel()
	expectCurrent(t, events, true, c.Document())
	close(push)
	if _, ok := (<-events).(*client.DocumentError); !ok {
		t.Fatal("no DocumentError")
	}
	if c.Document().Epoch != 2494607 {
		t.Fatal("the bad document replaced the good one")
	}
	close(pushGood)
	if nd, ok := (<-events).(*client.NewDocument); !ok || nd.Document.Epoch != 2494608 || c.Document().Epoch != 2494608 {
		t.Fatal("the next good document was not taken")
	}
}
