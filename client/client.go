package client

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/service"
	"github.com/katzenthin/katzenthin/wire"
)

// Client is a connection to the Katzenpost client daemon. Its methods are
// safe for concurrent use by any number of goroutines: calls share one
// socket, one reader that resolves every call's future by ID, and one
// writer that batches their frames.
type Client struct {
	o     options
	log   *slog.Logger
	debug bool // log traffic (never payloads)

	// token is this client's session token, chosen once and reused on
	// every reconnect so that a v0.0.99 daemon can resume the session.
	token wire.Token

	fut  futures
	subs subscribers

	doc    atomic.Pointer[pki.Document]
	info   atomic.Pointer[DaemonInfo]
	online atomic.Bool // the daemon's mixnet link, from its status events

	// mu orders Close against the supervisor installing a connection, so
	// that a closed client never gets a live one.
	mu     sync.Mutex
	conn   atomic.Pointer[connState] // replaced under mu, read freely
	closed atomic.Bool               // set under mu

	// session numbers daemon sessions: each handshake that does not
	// resume the previous session starts a new one. A call accepts
	// results only from the session it was written in.
	session atomic.Uint64
	lastErr atomic.Pointer[error] // why the latest connection or attempt failed

	startSlots chan struct{} // Pigeonhole start_* requests outstanding
	cancelsMu  sync.Mutex
	// cancels holds each Pigeonhole cancel frame until its reply comes,
	// keyed by its query ID: one written on a connection that then broke
	// may never have reached the daemon, so every one still here is
	// written again after the next handshake (a repeated cancel is
	// harmless: it answers 0).
	cancels    map[wire.QueryID][]byte
	reconnects atomic.Uint64

	// tracer is WithTracer's, a noopTracer when none is set (traced
	// false: the calls then skip it).
	tracer Tracer
	traced bool
	lostAt atomic.Int64 // UnixNano of the latest connection loss, for the tracer

	runCtx    context.Context
	cancelRun context.CancelFunc
	loopDone  chan struct{} // closed when the supervisor has exited
	closeOnce sync.Once
}

// connState is the client's view of its connection, replaced as a whole.
type connState struct {
	cur *connection   // nil while disconnected
	up  chan struct{} // closed when cur is set (waiters then reload)
	err error         // set when the client will never connect again
}

// Dial connects to the daemon, performs the handshake within ctx and the
// handshake timeouts, and returns a ready client: Document is set and
// calls may be made. It starts one reader and one writer goroutine for the
// connection and a supervisor that reconnects after a loss (see
// WithReconnect); Close stops them all.
//
// Dial refuses a Unix-socket daemon that runs as a uid other than ours or
// root, with a *PeerError (see WithDaemonUIDs). Without WithDialRetry it
// fails at once when no daemon answers (transport.ErrDaemonNotRunning);
// with it, it waits for one until ctx ends.
func Dial(ctx context.Context, opts ...Option) (*Client, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if err := o.err(); err != nil {
		return nil, err
	}
	warnNonLoopback(ctx, o.logger, o.dialer)
	c := &Client{
		o: o, log: o.logger, token: wire.NewToken(),
		loopDone:   make(chan struct{}),
		startSlots: make(chan struct{}, MaxStartsInFlight),
		tracer:     noopTracer{},
	}
	if o.tracer != nil {
		c.tracer, c.traced = o.tracer, true
	}
	c.debug = c.log.Enabled(ctx, slog.LevelDebug)
	c.conn.Store(&connState{up: make(chan struct{})})
	s, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	c.runCtx, c.cancelRun = context.WithCancel(context.Background())
	c.install(s)
	go c.supervise(s)
	return c, nil
}

// dial connects for Dial: once, or with WithDialRetry until a daemon
// answers or ctx ends, waiting with the reconnect backoff in between. A
// daemon refused by the peer check is not tried again.
func (c *Client) dial(ctx context.Context) (*connection, error) {
	for attempt := 1; ; attempt++ {
		s, err := c.connect(ctx)
		if err == nil || !c.o.dialRetry || errors.Is(err, ErrUntrustedDaemon) {
			return s, err
		}
		if dl, ok := ctx.Deadline(); ctx.Err() != nil || ok && !time.Now().Before(dl) {
			// The attempt was cut short by ctx: say why the ones before
			// failed, not that.
			<-ctx.Done()
			return nil, c.unavailable(ctx.Err())
		}
		c.lastErr.Store(&err)
		t := time.NewTimer(c.o.reconnect.backoff(attempt))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, c.unavailable(ctx.Err())
		}
	}
}

// Document returns the newest PKI document the daemon sent. It is never
// nil after Dial. Documents are immutable: share them freely.
func (c *Client) Document() *pki.Document { return c.doc.Load() }

// Services returns every service offering capability in the current
// document, or an error wrapping service.ErrNotFound.
func (c *Client) Services(capability string) ([]service.Descriptor, error) {
	ds := service.Find(c.Document(), capability)
	if len(ds) == 0 {
		_, err := service.Pick(c.Document(), capability)
		return nil, err
	}
	return ds, nil
}

// Service returns a random one of the services offering capability (the
// choice uses crypto-quality randomness), or an error wrapping
// service.ErrNotFound.
func (c *Client) Service(capability string) (service.Descriptor, error) {
	return service.Pick(c.Document(), capability)
}

// Connected reports whether the daemon is reachable and says it is
// connected to the mixnet: false while the socket is down or the latest
// status event says is_connected false.
func (c *Client) Connected() bool {
	return c.online.Load() && c.conn.Load().cur != nil
}

// Daemon describes the daemon of the current (or latest) connection.
func (c *Client) Daemon() DaemonInfo { return *c.info.Load() }

// Subscribe returns a channel that receives every event: the daemon's,
// those that resolved calls included, and the client's own connection
// events. It starts with the current state, a *ConnectionStatus (as
// Connected reports it) and a *NewDocument (the current document), then
// the live events. The channel holds WithSubscriberBuffer events; a subscriber
// that falls behind never slows the client: events that do not fit are
// dropped for it and counted, and an *EventsDropped with the count comes
// before the next event that fits. A call's *MessageSent and
// *MessageReply are in the channel (or counted as dropped) before the
// call returns. cancel ends the subscription and closes the channel;
// Close closes every subscription's channel.
func (c *Client) Subscribe() (events <-chan Event, cancel func()) {
	return c.subs.add(c.o.subscriberBuffer, c.currentEvents)
}

// Stats are counters for monitoring.
type Stats struct {
	Pending       int    // IDs of calls in flight (a v0.0.99 reliable send has one per transmission)
	LateReplies   uint64 // replies and events for IDs no call waits for (cancelled, timed out, duplicates, and on v0.0.99 the discarded replies of SendNoReply)
	WrongReplies  uint64 // results for a live ID of the wrong type or from another daemon session: dropped
	DroppedEvents uint64 // events subscribers lost because their channel was full
	Reconnects    uint64 // successful reconnections
}

// Stats returns the client's counters.
func (c *Client) Stats() Stats {
	return Stats{
		Pending:       c.fut.len(),
		LateReplies:   c.fut.late.Load(),
		WrongReplies:  c.fut.wrong.Load(),
		DroppedEvents: c.subs.dropped.Load(),
		Reconnects:    c.reconnects.Load(),
	}
}

// Close says goodbye to the daemon (thin close), ends every pending call
// with ErrClosed, closes the socket and waits for the client's goroutines.
// It is safe to call more than once and concurrently with calls; calls
// made after it return ErrClosed.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed.Store(true)
		s := c.conn.Load().cur
		c.mu.Unlock()
		c.failAll(ErrClosed)
		if s != nil {
			c.goodbyeOn(s)
		}
		c.cancelRun()
		c.wakeWaiters()
	})
	<-c.loopDone
	c.subs.closeAll()
	return nil
}
