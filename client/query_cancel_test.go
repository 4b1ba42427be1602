package client_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/wire"
)

// A Pigeonhole cancel sent as the connection breaks may be lost with it:
// the client keeps each cancel until its reply and writes it again after
// the handshake, so the daemon does not resend the cancelled read forever.
func TestQueryCancelSurvivesDrop(t *testing.T) {
	d := startMock(t, wire.Generation99)
	c := dialMock(t, d, fastReconnect)
	ctx, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()
	seed := make([]byte, 32)
	rand.Read(seed)
	kp, err := c.Query(ctx, &wire.Request99{NewKeypair: &wire.NewKeypair{Seed: seed}}, client.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	k := kp.NewKeypairReply
	er, err := c.Query(ctx, &wire.Request99{EncryptRead: &wire.EncryptRead{ReadCap: k.ReadCap, MessageBoxIndex: k.FirstMessageIndex}}, client.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := er.EncryptReadReply
	start := &wire.Request99{StartResendingEncryptedMessage: &wire.StartResendingEncryptedMessage{
		ReadCap: k.ReadCap, MessageBoxIndex: k.FirstMessageIndex,
		EnvelopeDescriptor: e.EnvelopeDescriptor, MessageCiphertext: e.MessageCiphertext, EnvelopeHash: e.EnvelopeHash}}
	cancelReq := &wire.Request99{CancelResendingEncryptedMessage: &wire.CancelResendingEncryptedMessage{EnvelopeHash: e.EnvelopeHash}}

	readCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := c.Query(readCtx, start, client.QueryOptions{Start: true, Cancel: cancelReq})
		done <- err
	}()
	waitUntil(t, func() bool { return d.PigeonholeStats().InFlight == 1 }) // an empty box: the read waits
	before := c.Stats().Reconnects
	d.DropConnections()
	cancel() // races with the client noticing the drop
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Query: %v", err)
	}
	waitUntil(t, func() bool { return c.Stats().Reconnects > before })
	waitUntil(t, func() bool { st := d.PigeonholeStats(); return st.Cancels >= 1 && st.InFlight == 0 })
}

// waitUntil polls cond, which the mock's goroutines make true, for up to
// 10 s.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}
