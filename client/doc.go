// Package client is the thin client of the Katzenpost client daemon
// (kpclientd): blocking, context-bounded calls over one connection, safe
// from any number of goroutines.
//
// The daemon does the cryptography and the mixnet traffic; a Client sends
// it requests over a local socket and matches the replies to the calls
// waiting for them. One reader goroutine resolves each call's future by
// its random ID; one writer goroutine batches the frames of concurrent
// callers into few writes; a supervisor reconnects after the daemon
// restarts. The daemon's generation (v0.0.47 or v0.0.99) is told from its
// first frame: the same calls work against both.
//
//	c, err := client.Dial(ctx) // the daemon at @katzenpost
//	if err != nil { ... }
//	defer c.Close()
//	echo, err := c.Service("echo")
//	if err != nil { ... }
//	ctx, cancel := context.WithTimeout(ctx, time.Minute)
//	defer cancel()
//	reply, err := c.Send(ctx, echo.Destination(), []byte("hello"))
//	switch {
//	case errors.Is(err, context.DeadlineExceeded): // the mixnet lost it
//	case errors.Is(err, client.ErrOffline):       // the daemon has no mixnet link
//	}
//
// Every call ends exactly once, with its own outcome, whatever happens to
// the connection: DESIGN.md in this package draws the state machine that
// guarantees it and says which goroutine may move a call when.
package client
