package client_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/internal/waitfor"
	"github.com/katzenthin/katzenthin/mock"
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
	// An empty box: the read waits at the daemon.
	waitfor.Pigeonhole(t, d, "the read at the daemon", func(st mock.PigeonholeStats) bool { return st.InFlight == 1 })
	before := c.Stats().Reconnects
	d.DropConnections()
	cancel() // races with the client noticing the drop
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Query: %v", err)
	}
	waitfor.Reconnect(t, c, before)
	waitfor.Pigeonhole(t, d, "the cancel", func(st mock.PigeonholeStats) bool { return st.Cancels >= 1 && st.InFlight == 0 })
}
