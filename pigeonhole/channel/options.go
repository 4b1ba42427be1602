package channel

import (
	"fmt"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/pigeonhole"
)

// DefaultWindow is how many writes (or reads) a channel keeps in flight
// when WithWindow is not given.
const DefaultWindow = 8

// DefaultLockTimeout is how long Open waits for another process to
// release the store file when WithLockTimeout is not given.
const DefaultLockTimeout = 2 * time.Second

// Option configures a DB (Open, New).
type Option func(*options)

type options struct {
	clients     []*pigeonhole.Client
	window      int
	lockTimeout time.Duration
}

// WithClients gives the daemon connections the channels use. The
// daemon runs the local requests of one connection one at a time and
// each encryption costs it seconds of CPU, so a few connections (each a
// client.Client of its own, wrapped by pigeonhole.New) let it encrypt
// in parallel: the channels spread their calls over them, to the least
// busy one. Without clients a DB can create, import, list and delete
// channels but not send or receive (ErrNoClient).
func WithClients(p ...*pigeonhole.Client) Option {
	return func(o *options) { o.clients = append(o.clients, p...) }
}

// WithWindow sets how many writes each Writer keeps in flight, each at
// its own index, and how many boxes each Reader reads ahead: 1 to
// client.MaxStartsInFlight; 0 means DefaultWindow.
func WithWindow(n int) Option {
	return func(o *options) { o.window = n }
}

// WithLockTimeout sets how long Open waits for another process to
// release the store file before failing with ErrLocked; 0 means
// DefaultLockTimeout.
func WithLockTimeout(d time.Duration) Option {
	return func(o *options) { o.lockTimeout = d }
}

func buildOptions(opts []Option) (options, error) {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.window == 0 {
		o.window = DefaultWindow
	}
	if o.window < 1 || o.window > client.MaxStartsInFlight {
		return o, fmt.Errorf("channel: WithWindow(%d): want 1 to %d", o.window, client.MaxStartsInFlight)
	}
	if o.lockTimeout == 0 {
		o.lockTimeout = DefaultLockTimeout
	}
	if o.lockTimeout < 0 {
		return o, fmt.Errorf("channel: WithLockTimeout(%v): want a positive duration", o.lockTimeout)
	}
	for i, p := range o.clients {
		if p == nil {
			return o, fmt.Errorf("channel: WithClients: client %d is nil", i)
		}
	}
	return o, nil
}
