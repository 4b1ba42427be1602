package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/coder/websocket"

	"github.com/katzenthin/katzenthin/internal/wsconn"
)

// WebSocketDialer dials a daemon that listens on a WebSocket (kpclientd
// v0.0.99's [Listen.Ws], "ws://host:port"). Make one with [WebSocket] or
// [Parse]; the zero value has no URL and its Dial fails with
// [ErrInvalidAddress].
//
// The thin-client frames travel as binary messages and are read as one
// byte stream, so the framing is the same as on a socket. wss:// URLs
// use TLS, checked against the system's roots.
//
// A WebSocketDialer is a small comparable value: two dialers for the same
// URL are equal. It is safe for concurrent use.
type WebSocketDialer struct {
	url string
}

// WebSocket returns a dialer for the WebSocket at url, "ws://host:port"
// or "wss://host:port", with an optional path. WebSocket does not check
// the URL: a bad one makes Dial fail.
func WebSocket(url string) Dialer { return WebSocketDialer{url: url} }

// wsClient makes the handshake requests. It keeps no idle connections
// (an upgraded connection leaves the pool anyway, and a refused one must
// not linger), uses no proxy (the daemon is local, or at least not behind
// an HTTP proxy), and follows no redirect (a daemon does not send one).
var wsClient = &http.Client{
	Transport: &http.Transport{
		Proxy:             nil,
		DialContext:       (&net.Dialer{}).DialContext,
		DisableKeepAlives: true,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Dial performs the WebSocket handshake within ctx and returns the
// connection as a byte stream. The connection does not depend on ctx
// once Dial has returned. It differs from a socket in two ways that the
// thin-client protocol does not notice: Close does not wait for the
// peer's half of the WebSocket close handshake, and a deadline that
// passes during a Read or Write ends the connection.
//
// A server that answers the handshake with anything but an upgrade (it
// refuses it, or it is a plain web server) gives a *DialError matching
// [ErrNotWebSocket].
func (d WebSocketDialer) Dial(ctx context.Context) (net.Conn, error) {
	u, err := parseWebSocketURL(d.url)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, &DialError{Network: u.Scheme, Address: d.url, Err: err}
	}
	ws, resp, err := websocket.Dial(ctx, d.url, &websocket.DialOptions{
		HTTPClient: wsClient,
		// Compression gains nothing on a local link and mixes secrets
		// with attacker-chosen bytes.
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			err = &refusedError{status: resp.Status}
		}
		return nil, &DialError{Network: u.Scheme, Address: d.url, Err: err}
	}
	return wsconn.New(ws, wsconn.Addr{Net: u.Scheme, Host: "local"}, wsconn.Addr{Net: u.Scheme, Host: d.url}), nil
}

// refusedError is a handshake answered without an upgrade.
type refusedError struct{ status string }

func (e *refusedError) Error() string {
	return "the server answered HTTP " + e.status + " instead of a WebSocket upgrade (is a web server, not kpclientd, listening there?)"
}

func (e *refusedError) Is(target error) bool { return target == ErrNotWebSocket }

// Network returns "ws" or "wss", the URL's scheme ("ws" for the zero
// value).
func (d WebSocketDialer) Network() string {
	if strings.HasPrefix(d.url, "wss:") {
		return "wss"
	}
	return "ws"
}

// Address returns the URL, for example "ws://127.0.0.1:64331".
func (d WebSocketDialer) Address() string { return d.url }

// String returns the URL, which Parse reads back.
func (d WebSocketDialer) String() string { return d.url }

// parseWebSocketURL checks a ws:// or wss:// URL.
func parseWebSocketURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty WebSocket URL", ErrInvalidAddress)
	}
	if !strings.HasPrefix(s, "ws://") && !strings.HasPrefix(s, "wss://") {
		return nil, fmt.Errorf("%w: %q: a WebSocket URL starts with ws:// or wss://", ErrInvalidAddress, s)
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is quoted below already
		}
		if strings.Contains(s, "@") {
			s = "(a URL with user information, not shown)" // it may hold a password
		}
		return nil, fmt.Errorf("%w: %q: %v", ErrInvalidAddress, s, err)
	}
	switch {
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("%w: %q: no host (want %s://host:port)", ErrInvalidAddress, s, u.Scheme)
	case u.User != nil:
		// The URL is printed in errors and logs: it must hold no secret.
		return nil, fmt.Errorf("%w: %q: user information in a WebSocket URL is not supported", ErrInvalidAddress, redactUser(u))
	case u.Fragment != "" || strings.Contains(s, "#"):
		return nil, fmt.Errorf("%w: %q: a WebSocket URL has no fragment", ErrInvalidAddress, s)
	case u.Port() == "" && strings.HasSuffix(u.Host, ":"):
		return nil, fmt.Errorf("%w: %q: empty port", ErrInvalidAddress, s)
	}
	return u, nil
}

// redactUser writes u without its password.
func redactUser(u *url.URL) string {
	r := *u
	r.User = url.User(u.User.Username())
	if _, ok := u.User.Password(); ok {
		r.User = url.UserPassword(u.User.Username(), "REDACTED")
	}
	return r.String()
}
