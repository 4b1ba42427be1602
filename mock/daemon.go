package mock

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/katzenthin/katzenthin/mock/internal/storage"
	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

// Daemon is an in-process fake of the Katzenpost client daemon. Make one
// with New (then Serve) or Start. All its methods are safe for concurrent
// use.
type Daemon struct {
	opts     options
	err      error // from the options; Serve returns it
	gen      wire.Generation
	log      *slog.Logger
	instance wire.Token // v0.0.99 instance token, one per Daemon
	status   [2][]byte  // encoded status frames: [0] offline, [1] connected
	sched    *scheduler
	pacer    *pacer         // nil unless sends are paced
	ph       *storage.Store // v0.0.99 Pigeonhole, shared by every connection
	counters counters
	waiters  requestWaiters
	done     chan struct{} // closed when Close has finished
	serving  chan struct{} // closed when the first listener is registered
	bg       *background   // the Serve that Listen started, if any
	wg       sync.WaitGroup

	connected atomic.Bool
	state     atomic.Pointer[docState] // the current document
	holding   atomic.Bool              // mirrors holdOn for the fast path

	holdMu sync.Mutex
	holdOn bool
	held   []heldEvent

	mu         sync.Mutex
	closed     bool
	addr       string
	listeners  map[net.Listener]struct{}
	conns      map[*conn]struct{}
	sessions   map[wire.Token]*app // v0.0.99 sessions by client token
	docs       []*docState         // documents served by get_pki_document, newest first
	violations []Violation
}

// New returns a daemon configured by opts, not yet serving: call Serve, or
// use Start in tests. It starts no goroutine. It is safe for concurrent
// use. Its document is generated once (see WithDocument for
// the default) and stays the same until PublishDocument. A bad option
// value does not fail here: Serve returns the error.
//
// The default document is a small network shaped like the captured ones:
// mix layers of one mix each (mix1..mix3), gateway1, and servicenode1
// offering "echo" and every WithService capability (endpoint "+" and the
// capability), with random keys and the captured parameters. Generation99
// gets a "v1" document, Generation47 a "v0" one.
func New(opts ...Option) *Daemon {
	o := defaultOptions()
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	var capabilities []string
	for _, name := range o.order {
		if o.services[name] != nil {
			capabilities = append(capabilities, name)
		} else {
			delete(o.services, name)
		}
	}

	d := &Daemon{
		opts:      o,
		gen:       o.generation,
		log:       o.logger,
		instance:  wire.NewToken(),
		sched:     newScheduler(),
		done:      make(chan struct{}),
		serving:   make(chan struct{}),
		listeners: make(map[net.Listener]struct{}),
		conns:     make(map[*conn]struct{}),
		sessions:  make(map[wire.Token]*app),
	}
	d.connected.Store(!o.offline)
	d.ph = storage.New(phHost{d}, o.ph, o.logger)
	if o.pacing > 0 || o.docPacing || o.pacingNext != nil {
		d.pacer = newPacer(d, o.pacing, o.docPacing, o.pacingNext)
	}

	errs := o.errs
	var st *docState
	if o.doc != nil {
		var err error
		if st, err = newDocState(o.doc, d.gen, o.services); err != nil {
			errs = append(errs, fmt.Errorf("%w: WithDocument: %w", ErrInvalidOption, err))
		}
	}
	if st == nil {
		var err error
		st, err = newDocState(defaultDocument(d.gen, capabilities, time.Now()), d.gen, o.services)
		if err != nil {
			panic(fmt.Sprintf("mock: the default document does not marshal: %v", err)) // a bug here
		}
	}
	d.state.Store(st)
	d.docs = []*docState{st}
	d.err = errors.Join(errs...)
	for i, connected := range []bool{false, true} {
		d.status[i] = d.statusFrame(connected)
	}
	return d
}

// Serve accepts connections on l and serves each, until Close. It returns
// nil after Close, ErrClosed if the daemon was already closed, the option
// error (wrapping ErrInvalidOption) if an option was bad, or the
// listener's error if accepting fails otherwise. It closes l on return.
// Serve may be called for several listeners at once, from any goroutine.
func (d *Daemon) Serve(l net.Listener) error {
	if d.err != nil {
		l.Close()
		return d.err
	}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		l.Close()
		return ErrClosed
	}
	d.listeners[l] = struct{}{}
	d.setAddrLocked(l)
	d.wg.Add(1)
	d.mu.Unlock()
	defer d.wg.Done()
	d.sched.start()
	d.log.Info("mock: serving", "address", addrString(l.Addr()), "generation", d.gen.String())

	for {
		nc, err := l.Accept()
		if err != nil {
			d.mu.Lock()
			closed := d.closed
			delete(d.listeners, l)
			d.mu.Unlock()
			l.Close()
			if closed {
				return nil
			}
			return err
		}
		d.accept(nc)
	}
}

// accept registers a new connection with its own application, queues the
// handshake (status, then document) and starts its goroutines. The
// handshake is queued under the daemon's lock, so a concurrent
// SetConnected or PublishDocument comes after it, never before.
func (d *Daemon) accept(nc net.Conn) {
	c := newConn(d, nc)
	a := &app{id: wire.NewToken()}
	a.conn.Store(c)
	c.app.Store(a)

	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		nc.Close()
		return
	}
	d.conns[c] = struct{}{}
	d.queueHandshakeLocked(c)
	d.counters.accepted.Add(1)
	d.counters.open.Add(1)
	d.wg.Add(2)
	d.mu.Unlock()

	d.log.Info("mock: connection accepted", "app", a.id.String())
	go c.readLoop()
	go c.writeLoop()
}

// Close stops listening, sends every client a shutdown event, closes
// every connection and waits for every goroutine of the daemon. Replies
// still due are dropped. It returns nil, also when called again, except
// for a daemon started by Listen whose serving failed: then that error.
// It is safe for concurrent use, but must not be called from a service
// handler (it waits for the goroutine running the handler).
func (d *Daemon) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		d.wg.Wait()
		return d.backgroundErr()
	}
	d.closed = true
	for l := range d.listeners {
		l.Close()
	}
	conns := make([]*conn, 0, len(d.conns))
	for c := range d.conns {
		conns = append(conns, c)
	}
	d.mu.Unlock()

	for _, c := range conns {
		c.end(endShutdown)
	}
	d.sched.close()
	d.wg.Wait()
	close(d.done)
	d.log.Info("mock: closed")
	return d.backgroundErr()
}

// backgroundErr waits for the Serve that Listen started and returns its
// error: nil when Close ended it.
func (d *Daemon) backgroundErr() error {
	if d.bg == nil {
		return nil
	}
	<-d.bg.done
	return d.bg.err
}

// Document returns the document the daemon serves now. It must not be
// modified; reading it is safe from any goroutine, as is calling Document.
func (d *Daemon) Document() *pki.Document { return d.state.Load().doc }
