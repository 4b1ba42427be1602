package client_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

// recorder is a Tracer that keeps what it is told.
type recorder struct {
	mu     sync.Mutex
	starts []client.CallInfo
	ends   []traceEnd
	lost   chan error
	recon  chan client.ReconnectInfo
}

type traceEnd struct {
	info client.CallInfo
	err  error
	span any // the value CallStart put in the context
}

type spanKey struct{}

func newRecorder() *recorder {
	return &recorder{lost: make(chan error, 10), recon: make(chan client.ReconnectInfo, 10)}
}

func (r *recorder) CallStart(ctx context.Context, info client.CallInfo) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.starts = append(r.starts, info)
	return context.WithValue(ctx, spanKey{}, len(r.starts))
}

func (r *recorder) CallEnd(ctx context.Context, info client.CallInfo, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ends = append(r.ends, traceEnd{info, err, ctx.Value(spanKey{})})
}

func (r *recorder) ConnectionLost(err error)              { r.lost <- err }
func (r *recorder) Reconnected(info client.ReconnectInfo) { r.recon <- info }

// take returns the calls ended since the last take.
func (r *recorder) take() []traceEnd {
	r.mu.Lock()
	defer r.mu.Unlock()
	ends := r.ends
	r.ends = nil
	if len(r.starts) < len(ends) {
		panic("CallEnd without CallStart")
	}
	return ends
}

func TestTracerCalls(t *testing.T) {
	generations(t, func(t *testing.T, gen wire.Generation) {
		rec := newRecorder()
		d := startMock(t, gen)
		c := dialMock(t, d, client.WithTracer(rec))
		ctx := callCtx(t)
		dst := echoDst(t, c)

		if _, err := c.Send(ctx, dst, []byte("hello")); err != nil {
			t.Fatal(err)
		}
		if _, err := c.SendReliable(ctx, dst, []byte("reliable")); err != nil {
			t.Fatal(err)
		}
		if err := c.SendNoReply(ctx, dst, []byte("fire")); err != nil {
			t.Fatal(err)
		}
		if _, err := client.Call[string](ctx, c, dst, "typed"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DocumentForEpoch(ctx, 0); err != nil {
			t.Fatal(err)
		}
		_, invalid := c.Send(ctx, dst, make([]byte, client.DefaultMaxPayload+1))

		ends := rec.take()
		want := []struct {
			kind     client.CallKind
			size     int
			attempts int
			err      error
		}{
			{client.CallSend, 5, 1, nil},
			{client.CallSendReliable, 8, 1, nil},
			{client.CallSendNoReply, 4, 1, nil},
			{client.CallSend, 6, 1, nil}, // Call: CBOR "typed" is 6 bytes
			{client.CallDocumentForEpoch, 0, map[wire.Generation]int{wire.Generation47: 0, wire.Generation99: 1}[gen], nil},
			{client.CallSend, client.DefaultMaxPayload + 1, 0, client.ErrInvalidRequest},
		}
		if len(ends) != len(want) {
			t.Fatalf("%d calls traced, want %d: %+v", len(ends), len(want), ends)
		}
		for i, w := range want {
			e := ends[i]
			if e.info.Kind != w.kind || e.info.Size != w.size || e.info.Attempts != w.attempts || !errors.Is(e.err, w.err) || (w.err == nil) != (e.err == nil) {
				t.Errorf("call %d: %s size %d attempts %d err %v; want %s size %d attempts %d err %v",
					i, e.info.Kind, e.info.Size, e.info.Attempts, e.err, w.kind, w.size, w.attempts, w.err)
			}
			if e.span != i+1 {
				t.Errorf("call %d: CallEnd got context value %v, want CallStart's %d", i, e.span, i+1)
			}
			if e.info.Start.IsZero() || e.info.Duration <= 0 {
				t.Errorf("call %d: start %v, duration %v", i, e.info.Start, e.info.Duration)
			}
			if w.kind != client.CallDocumentForEpoch && e.info.Destination.NodeHash != dst.NodeHash {
				t.Errorf("call %d: destination not traced", i)
			}
		}
		if invalid == nil || ends[5].err != invalid {
			t.Errorf("CallEnd's error %v is not the call's %v", ends[5].err, invalid)
		}
	})
}

func TestTracerReconnect(t *testing.T) {
	generations(t, func(t *testing.T, gen wire.Generation) {
		rec := newRecorder()
		d := startMock(t, gen)
		c := dialMock(t, d, client.WithTracer(rec), fastReconnect)
		events, cancel := c.Subscribe()
		defer cancel()

		d.DropConnections()
		select {
		case err := <-rec.lost:
			if !errors.Is(err, client.ErrConnectionLost) {
				t.Errorf("ConnectionLost(%v), want an ErrConnectionLost", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("ConnectionLost was not traced")
		}
		select {
		case info := <-rec.recon:
			if info.Attempt < 1 || info.Downtime <= 0 || info.Resumed != (gen == wire.Generation99) {
				t.Errorf("Reconnected(%+v): want attempt >= 1, a downtime, resumed only on v0.0.99", info)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Reconnected was not traced")
		}
		// The tracer hears of it no later than subscribers do.
		for ev := range events {
			if _, ok := ev.(*client.Reconnected); ok {
				break
			}
		}
		if _, err := c.Send(callCtx(t), echoDst(t, c), []byte("after")); err != nil {
			t.Fatal(err)
		}
		if ends := rec.take(); len(ends) != 1 || ends[0].err != nil || ends[0].info.Attempts != 1 {
			t.Errorf("after the reconnection: %+v", ends)
		}
		c.Close()
		select {
		case err := <-rec.lost:
			t.Errorf("Close traced as a lost connection: %v", err)
		default:
		}
	})
}

// A call that waits through a lost connection counts the attempts it took.
func TestTracerAttemptsAcrossReconnect(t *testing.T) {
	rec := newRecorder()
	d := startMock(t, wire.Generation47, mock.WithLatency(time.Hour))
	c := dialMock(t, d, client.WithTracer(rec), fastReconnect)
	dst := echoDst(t, c)
	done := make(chan error, 1)
	go func() {
		_, err := c.SendReliable(callCtx(t), dst, []byte("again"))
		done <- err
	}()
	if err := d.WaitRequests(callCtx(t), 1); err != nil {
		t.Fatal(err)
	}
	d.DropConnections() // the reliable send is re-sent on the next connection
	<-rec.recon
	if err := d.WaitRequests(callCtx(t), 2); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := <-done; !errors.Is(err, client.ErrClosed) {
		t.Fatalf("SendReliable = %v, want ErrClosed", err)
	}
	ends := rec.take()
	if len(ends) != 1 || ends[0].info.Attempts != 2 || !errors.Is(ends[0].err, client.ErrClosed) {
		t.Fatalf("traced %+v; want one SendReliable with 2 attempts ending in ErrClosed", ends)
	}
}

func TestOutcome(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, "ok"},
		{context.DeadlineExceeded, "deadline"},
		{context.Canceled, "canceled"},
		{client.ErrOffline, "offline"},
		{client.ErrClosed, "closed"},
		{errors.Join(client.ErrConnectionLost, errors.New("EOF")), "connection_lost"},
		{client.ErrServiceUnavailable, "service_unavailable"},
		{client.ErrInvalidRequest, "invalid_request"},
		{&client.DecodeReplyError{Err: errors.New("x")}, "bad_reply"},
		{client.ErrRetransmissionsExhausted, "retransmissions_exhausted"},
		{&client.DaemonError{Kind: client.ErrSendFailed}, "send_failed"},
		{errors.New("other"), "error"},
	} {
		if got := client.Outcome(tc.err); got != tc.want {
			t.Errorf("Outcome(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
