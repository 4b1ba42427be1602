package main

import (
	"context"
	"sync"
)

// window is how many box writes or reads a transfer keeps in flight: a
// courier round trip takes seconds, so boxes go out side by side. The
// client allows client.MaxStartsInFlight (16) per connection; half of it
// leaves room for the copy command and cancels.
const window = 8

// ordered runs box operations side by side and hands their results back
// in order. For box i = from, from+1, ... while more says so, prepare
// runs on the caller's goroutine, one at a time and in order (the daemon
// encrypts one request at a time anyway), and returns the operation,
// which runs on a goroutine of its own, at most window at once. commit
// gets each box's result in order, on the caller's goroutine, and says
// when the transfer is complete. The first error ends it all: the
// operations in flight are cancelled and waited for.
type ordered struct {
	prepare func(ctx context.Context, i int) (op func(context.Context) ([]byte, error), err error)
	more    func(issued, committed int) bool
	commit  func(i int, result []byte) (complete bool, err error)
}

type opResult struct {
	i      int
	result []byte
	err    error
}

func (o ordered) run(ctx context.Context, from int) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // after cancel, below
	defer cancel()
	results := make(chan opResult, window)
	pending := make(map[int][]byte)
	issued, committed := from, from
	for {
		for issued-committed < window && o.more(issued, committed) {
			op, err := o.prepare(ctx, issued)
			if err != nil {
				return err
			}
			i := issued
			wg.Go(func() {
				r, err := op(ctx)
				results <- opResult{i: i, result: r, err: err}
			})
			issued++
		}
		if issued == committed {
			return nil // nothing more to do
		}
		var r opResult
		select {
		case r = <-results:
		case <-ctx.Done():
			return ctx.Err()
		}
		if r.err != nil {
			return r.err
		}
		pending[r.i] = r.result
		for {
			res, ok := pending[committed]
			if !ok {
				break
			}
			delete(pending, committed)
			complete, err := o.commit(committed, res)
			if err != nil {
				return err
			}
			committed++
			if complete {
				return nil
			}
		}
	}
}
