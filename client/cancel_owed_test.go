package client_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/internal/waitfor"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// refusingDialer pretends, while refuse is set, that no daemon listens:
// the client then takes the daemon process, and its session, for gone.
type refusingDialer struct {
	transport.Dialer
	refuse  atomic.Bool
	refused chan struct{} // one value per refused dial
}

func (d *refusingDialer) Dial(ctx context.Context) (net.Conn, error) {
	if d.refuse.Load() {
		select {
		case d.refused <- struct{}{}:
		default:
		}
		return nil, fmt.Errorf("test: %w", transport.ErrDaemonNotRunning)
	}
	return d.Dialer.Dial(ctx)
}

// startRead prepares a Pigeonhole read of an empty box, which waits at
// the daemon until it is cancelled, and returns its start and cancel
// requests.
func startRead(t *testing.T, ctx context.Context, c *client.Client) (start, cancel *wire.Request99) {
	t.Helper()
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
	start = &wire.Request99{StartResendingEncryptedMessage: &wire.StartResendingEncryptedMessage{
		ReadCap: k.ReadCap, MessageBoxIndex: k.FirstMessageIndex,
		EnvelopeDescriptor: e.EnvelopeDescriptor, MessageCiphertext: e.MessageCiphertext, EnvelopeHash: e.EnvelopeHash}}
	cancel = &wire.Request99{CancelResendingEncryptedMessage: &wire.CancelResendingEncryptedMessage{EnvelopeHash: e.EnvelopeHash}}
	return start, cancel
}

// TestCancelOwedWhileDisconnected repeats, step by step, the case of
// issue 18.5: a start reached the daemon; the connection drops; a redial
// finds no daemon, which settles the start for a new attempt while the
// client is disconnected; then the caller's context ends while it waits
// for a connection. The start was written, so its cancel is owed: it
// must go out after the next handshake, and the daemon must hold no
// start whose caller has gone.
func TestCancelOwedWhileDisconnected(t *testing.T) {
	d := startMock(t, wire.Generation99)
	rd := &refusingDialer{Dialer: d.Dialer(), refused: make(chan struct{}, 1)}
	c := dialMock(t, d, client.WithDialer(rd), fastReconnect)
	ctx, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()
	start, cancelReq := startRead(t, ctx, c)

	readCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := c.Query(readCtx, start, client.QueryOptions{Start: true, Cancel: cancelReq})
		done <- err
	}()
	waitfor.Pigeonhole(t, d, "the read at the daemon", func(st mock.PigeonholeStats) bool { return st.InFlight == 1 })

	rd.refuse.Store(true)
	before := c.Stats().Reconnects
	d.DropConnections()
	// Two refused redials: the first settled the start for a new attempt
	// (no daemon, no session), the second shows the client is still
	// disconnected after that.
	<-rd.refused
	<-rd.refused
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Query: %v", err)
	}
	rd.refuse.Store(false)
	waitfor.Reconnect(t, c, before)
	waitfor.Pigeonhole(t, d, "the owed cancel", func(st mock.PigeonholeStats) bool { return st.Cancels >= 1 && st.InFlight == 0 })
}
