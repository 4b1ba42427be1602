package mock

import (
	"sync"
	"time"
)

// task is work due at a given time: a delayed reply, an ARQ
// retransmission, a garbage-collection event or a session's expiry. run
// gets the time the task was due, so that chains of tasks keep their
// intended spacing even when the scheduler runs late.
type task struct {
	due time.Time
	seq uint64 // FIFO among tasks due at the same time
	run func(due time.Time)
}

func (a *task) before(b *task) bool {
	if a.due.Equal(b.due) {
		return a.seq < b.seq
	}
	return a.due.Before(b.due)
}

// scheduler runs tasks at their due time on one goroutine per daemon: a
// min-heap under a mutex, one timer for the earliest task, and a 1-slot
// wake channel for a new earliest one. Tasks run one after another, so a
// slow service handler delays the others (handlers should be fast).
type scheduler struct {
	mu    sync.Mutex
	heap  []task
	seq   uint64
	wake  chan struct{}
	stop  chan struct{}
	once  sync.Once
	ended sync.WaitGroup
}

func newScheduler() *scheduler {
	return &scheduler{wake: make(chan struct{}, 1), stop: make(chan struct{})}
}

// start runs the scheduler's goroutine, once; close stops it.
func (s *scheduler) start() {
	s.once.Do(func() {
		s.ended.Add(1)
		go s.loop()
	})
}

// close stops the scheduler and waits for its goroutine; pending tasks
// are dropped. It may be called more than once.
func (s *scheduler) close() {
	s.mu.Lock()
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	s.heap = nil
	s.mu.Unlock()
	s.once.Do(func() {}) // a scheduler never started never starts now
	s.ended.Wait()
}

// at schedules run at due. A task scheduled after close never runs.
func (s *scheduler) at(due time.Time, run func(due time.Time)) {
	s.mu.Lock()
	select {
	case <-s.stop:
		s.mu.Unlock()
		return
	default:
	}
	s.seq++
	s.push(task{due: due, seq: s.seq, run: run})
	first := s.heap[0].seq == s.seq
	s.mu.Unlock()
	if first {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

func (s *scheduler) loop() {
	defer s.ended.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var batch []task
	for {
		now := time.Now()
		s.mu.Lock()
		for len(s.heap) > 0 && !s.heap[0].due.After(now) {
			batch = append(batch, s.pop())
		}
		wait := time.Duration(-1)
		if len(s.heap) > 0 {
			wait = s.heap[0].due.Sub(now)
		}
		s.mu.Unlock()

		if len(batch) > 0 {
			for i := range batch {
				select {
				case <-s.stop:
					return
				default:
				}
				batch[i].run(batch[i].due)
				batch[i] = task{}
			}
			batch = batch[:0]
			continue // running took time: look at the clock again
		}

		if wait >= 0 {
			timer.Reset(wait)
		}
		select {
		case <-s.wake:
			timer.Stop()
		case <-timer.C:
		case <-s.stop:
			timer.Stop()
			return
		}
	}
}

// push and pop keep s.heap a binary min-heap; the caller holds s.mu.
func (s *scheduler) push(t task) {
	s.heap = append(s.heap, t)
	for i := len(s.heap) - 1; i > 0; {
		parent := (i - 1) / 2
		if !s.heap[i].before(&s.heap[parent]) {
			break
		}
		s.heap[i], s.heap[parent] = s.heap[parent], s.heap[i]
		i = parent
	}
}

func (s *scheduler) pop() task {
	h := s.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h[last] = task{}
	h = h[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h[l].before(&h[m]) {
			m = l
		}
		if r < len(h) && h[r].before(&h[m]) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	s.heap = h
	return top
}
