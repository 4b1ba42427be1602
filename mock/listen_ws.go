package mock

import (
	"fmt"
	"net"
	"net/url"

	"github.com/katzenthin/katzenthin/internal/wsconn"
)

// listenWebSocket serves the daemon over WebSocket, as kpclientd v0.0.99
// does with [Listen.Ws], on the host:port of a ws:// URL (":0" picks a
// free port). Any path is served.
func listenWebSocket(u *url.URL) (net.Listener, error) {
	if u.Scheme != "ws" {
		return nil, fmt.Errorf("mock: cannot listen on %s://: the mock has no TLS certificate; listen on ws://", u.Scheme)
	}
	l, err := wsconn.Listen(u.Host, u.EscapedPath())
	if err != nil {
		return nil, fmt.Errorf("mock: %w", err)
	}
	return l, nil
}
