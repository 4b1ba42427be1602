package transport

import "time"

// SetWebSocketHandshakeTimeout sets the bound of a WebSocket dial's HTTP
// exchange until the returned restore is called.
func SetWebSocketHandshakeTimeout(d time.Duration) (restore func()) {
	old := wsHandshakeTimeout
	wsHandshakeTimeout = d
	return func() { wsHandshakeTimeout = old }
}
