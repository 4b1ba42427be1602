package channel

import (
	"sync"

	"github.com/katzenthin/katzenthin/pigeonhole"
)

// pool spreads calls over the daemon connections: each call goes to the
// connection with the fewest calls of its kind running. Local requests
// (encryption) and start_* operations are counted apart, because the
// daemon runs a connection's local requests one at a time while its
// start_* operations wait on the mixnet side by side.
type pool struct {
	clients []*pigeonhole.Client

	mu     sync.Mutex
	locals []int
	starts []int
}

func newPool(clients []*pigeonhole.Client) *pool {
	return &pool{clients: clients, locals: make([]int, len(clients)), starts: make([]int, len(clients))}
}

// local picks a connection for a local request; call release when it
// returns.
func (p *pool) local() (*pigeonhole.Client, func(), error) { return p.pick(p.locals) }

// start picks a connection for a start_* operation.
func (p *pool) start() (*pigeonhole.Client, func(), error) { return p.pick(p.starts) }

// check reports ErrNoClient when there is no connection.
func (p *pool) check() error {
	if len(p.clients) == 0 {
		return ErrNoClient
	}
	return nil
}

func (p *pool) pick(busy []int) (*pigeonhole.Client, func(), error) {
	if len(p.clients) == 0 {
		return nil, nil, ErrNoClient
	}
	p.mu.Lock()
	best := 0
	for i := range busy {
		if busy[i] < busy[best] {
			best = i
		}
	}
	busy[best]++
	p.mu.Unlock()
	var once sync.Once
	return p.clients[best], func() {
		once.Do(func() {
			p.mu.Lock()
			busy[best]--
			p.mu.Unlock()
		})
	}, nil
}
