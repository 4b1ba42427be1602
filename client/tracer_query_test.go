package client_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"testing"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/wire"
)

// TestTracerQueries: Query, DocumentForEpoch and every Pigeonhole call
// pass the tracer, each named by its operation, with its error.
func TestTracerQueries(t *testing.T) {
	rec := newRecorder()
	d := startMock(t, wire.Generation99)
	c := dialMock(t, d, client.WithTracer(rec))
	ctx := callCtx(t)
	ph := pigeonhole.New(c)
	seed := make([]byte, pigeonhole.SeedSize)
	rand.Read(seed)
	_, r, at, err := ph.NewKeypair(ctx, seed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ph.EncryptRead(ctx, &r, &at); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DocumentForEpoch(ctx, 0); err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	_, cancelled := ph.NextIndex(gone, &at)

	want := []struct {
		kind client.CallKind
		op   string
		err  error
	}{
		{client.CallQuery, "new_keypair", nil},
		{client.CallQuery, "encrypt_read", nil},
		{client.CallDocumentForEpoch, "get_pki_document", nil},
		{client.CallQuery, "next_message_box_index", context.Canceled},
	}
	ends := rec.take()
	if len(ends) != len(want) {
		t.Fatalf("%d calls traced, want %d: %+v", len(ends), len(want), ends)
	}
	for i, w := range want {
		e := ends[i]
		if e.info.Kind != w.kind || e.info.Operation != w.op || !errors.Is(e.err, w.err) || (w.err == nil) != (e.err == nil) {
			t.Errorf("call %d: %s %q err %v; want %s %q err %v", i, e.info.Kind, e.info.Operation, e.err, w.kind, w.op, w.err)
		}
	}
	if !errors.Is(cancelled, context.Canceled) {
		t.Errorf("NextIndex on a cancelled context = %v", cancelled)
	}
	if client.CallQuery.String() != "Query" {
		t.Errorf("CallQuery.String() = %q", client.CallQuery.String())
	}
}

// TestLostCallNamesTheCause: a call that the loss of its connection ends
// names what ended it (here the daemon's EOF), not the redial that
// failed afterwards, and so does the tracer (issue 18.3).
func TestLostCallNamesTheCause(t *testing.T) {
	rec := newRecorder()
	d := startMock(t, wire.Generation99)
	rd := &refusingDialer{Dialer: d.Dialer(), refused: make(chan struct{}, 1)}
	c := dialMock(t, d, client.WithDialer(rd), client.WithTracer(rec), fastReconnect)
	dst := echoDst(t, c)
	d.HoldReplies()
	// The handshake's session_token request counts too: wait for the
	// Send itself, so the drop finds it written and the reader's EOF is
	// what ends the connection.
	before := d.Stats().Requests
	done := make(chan error, 1)
	go func() {
		_, err := c.Send(callCtx(t), dst, []byte("held"))
		done <- err
	}()
	if err := d.WaitRequests(callCtx(t), int(before)+1); err != nil {
		t.Fatal(err)
	}
	rd.refuse.Store(true)
	d.DropConnections()
	err := <-done
	if !errors.Is(err, client.ErrConnectionLost) || !errors.Is(err, io.EOF) {
		t.Errorf("Send = %v; want ErrConnectionLost naming EOF", err)
	}
	if lost := <-rec.lost; !errors.Is(lost, io.EOF) {
		t.Errorf("the tracer's ConnectionLost(%v) does not name EOF", lost)
	}
	rd.refuse.Store(false)
}
