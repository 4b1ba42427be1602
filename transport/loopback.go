package transport

import (
	"net"
	"net/netip"
	"strings"
)

// NonLoopback reports whether d is a TCP or WebSocket dialer of this
// package whose host is neither a loopback address (127.0.0.0/8, ::1)
// nor "localhost". Such a daemon listens where other machines may reach
// it, and a TCP or WebSocket daemon has no way to tell who connects: it
// serves anyone who reaches its port. The client logs a warning for such
// addresses. It is false for Unix sockets, for an empty host (the local
// system) and for dialers of other packages, and does no name
// resolution.
func NonLoopback(d Dialer) bool {
	var host string
	switch d := d.(type) {
	case TCPDialer:
		h, _, err := net.SplitHostPort(d.address)
		if err != nil {
			return false // Dial fails anyway
		}
		host = h
	case WebSocketDialer:
		u, err := parseWebSocketURL(d.url)
		if err != nil {
			return false
		}
		host = u.Hostname()
	default:
		return false
	}
	return !loopbackHost(host)
}

// loopbackHost reports whether host names this machine over loopback.
func loopbackHost(host string) bool {
	if host == "" || strings.EqualFold(host, "localhost") {
		return true
	}
	if i := strings.IndexByte(host, '%'); i >= 0 {
		host = host[:i] // an IPv6 zone
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
