package mock

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/katzenthin/katzenthin/internal/wsconn"
)

// wsListener serves the daemon over WebSocket, as kpclientd v0.0.99 does
// with [Listen.Ws]: an HTTP server upgrades every request to a WebSocket
// and hands it to Accept as a byte stream. Any path is served.
type wsListener struct {
	tcp    net.Listener
	srv    *http.Server
	addr   wsconn.Addr
	conns  chan net.Conn // upgraded connections, for Accept
	closed chan struct{} // closed by Close

	mu       sync.Mutex
	isClosed bool
	handlers sync.WaitGroup // ServeHTTP calls under way
	serving  chan struct{}  // closed when srv.Serve has returned
	once     sync.Once
}

// listenWebSocket listens on the host:port of a ws:// URL (":0" picks a
// free port).
func listenWebSocket(u *url.URL) (net.Listener, error) {
	if u.Scheme != "ws" {
		return nil, fmt.Errorf("mock: cannot listen on %s://: the mock has no TLS certificate; listen on ws://", u.Scheme)
	}
	tcp, err := net.Listen("tcp", u.Host)
	if err != nil {
		return nil, fmt.Errorf("mock: %w", err)
	}
	l := &wsListener{
		tcp:     tcp,
		addr:    wsconn.Addr{Net: "ws", Host: "ws://" + tcp.Addr().String() + u.EscapedPath()},
		conns:   make(chan net.Conn),
		closed:  make(chan struct{}),
		serving: make(chan struct{}),
	}
	l.srv = &http.Server{
		Handler:           l,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // a bad request is the client's error, not the mock's
	}
	go func() {
		defer close(l.serving)
		l.srv.Serve(tcp) // returns ErrServerClosed after Close
	}()
	return l, nil
}

// ServeHTTP upgrades the request and waits for Accept to take the
// connection. A request that is not an upgrade gets 426 Upgrade Required
// from websocket.Accept.
func (l *wsListener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	if l.isClosed {
		l.mu.Unlock()
		http.Error(w, "mock: closed", http.StatusServiceUnavailable)
		return
	}
	l.handlers.Add(1)
	l.mu.Unlock()
	defer l.handlers.Done()

	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return
	}
	remote := wsconn.Addr{Net: "ws", Host: r.RemoteAddr}
	nc := wsconn.New(ws, l.addr, remote)
	select {
	case l.conns <- nc:
	case <-l.closed:
		nc.Close()
	}
}

// Accept returns the next upgraded connection, or net.ErrClosed after
// Close.
func (l *wsListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

// Close stops the HTTP server and waits for its goroutines. Connections
// already accepted are the daemon's to close.
func (l *wsListener) Close() error {
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

// Addr returns the ws:// URL the listener serves.
func (l *wsListener) Addr() net.Addr { return l.addr }
