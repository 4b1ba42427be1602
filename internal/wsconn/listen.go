package wsconn

import (
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Listener serves WebSockets as kpclientd v0.0.99 does with [Listen.Ws]:
// an HTTP server upgrades every request, on any path, and hands the
// connection to Accept as a byte stream. A request that is not an
// upgrade gets 426 Upgrade Required.
type Listener struct {
	srv    *http.Server
	addr   Addr
	conns  chan net.Conn // upgraded connections, for Accept
	closed chan struct{} // closed by Close

	mu       sync.Mutex
	isClosed bool
	handlers sync.WaitGroup // ServeHTTP calls under way
	serving  chan struct{}  // closed when srv.Serve has returned
	once     sync.Once
}

// Listen listens on the TCP address hostPort (":0" picks a free port)
// and serves WebSockets there; path only completes the URL that Addr
// reports.
func Listen(hostPort, path string) (*Listener, error) {
	tcp, err := net.Listen("tcp", hostPort)
	if err != nil {
		return nil, err
	}
	l := &Listener{
		addr:    Addr{Net: "ws", Host: "ws://" + tcp.Addr().String() + path},
		conns:   make(chan net.Conn),
		closed:  make(chan struct{}),
		serving: make(chan struct{}),
	}
	l.srv = &http.Server{
		Handler:           l,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // a bad request is the client's error, not the server's
	}
	go func() {
		defer close(l.serving)
		l.srv.Serve(tcp) // returns ErrServerClosed after Close
	}()
	return l, nil
}

// ServeHTTP upgrades the request and waits for Accept to take the
// connection.
func (l *Listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	if l.isClosed {
		l.mu.Unlock()
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	l.handlers.Add(1)
	l.mu.Unlock()
	defer l.handlers.Done()

	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return // Accept has answered
	}
	nc := New(ws, l.addr, Addr{Net: "ws", Host: r.RemoteAddr})
	select {
	case l.conns <- nc:
	case <-l.closed:
		nc.Close()
	}
}

// Accept returns the next upgraded connection, or net.ErrClosed after
// Close.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

// Close stops the HTTP server and waits for its goroutines. Connections
// already accepted are the caller's to close. Later calls return
// net.ErrClosed.
func (l *Listener) Close() error {
	err := net.ErrClosed
	l.once.Do(func() {
		l.mu.Lock()
		l.isClosed = true
		l.mu.Unlock()
		close(l.closed)
		err = l.srv.Close()
		<-l.serving
		l.handlers.Wait()
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	})
	return err
}

// Addr returns the ws:// URL the listener serves, as an Addr.
func (l *Listener) Addr() net.Addr { return l.addr }
