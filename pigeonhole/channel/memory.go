package channel

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// NewMemoryStore returns a Store that keeps everything in memory, for
// tests and for channels that need not outlive the process. It is safe
// for concurrent use.
func NewMemoryStore() Store { return &memoryStore{channels: make(map[string]*memoryChannel)} }

type memoryStore struct {
	mu       sync.Mutex
	closed   bool
	channels map[string]*memoryChannel
}

type memoryChannel struct {
	state   State
	records map[uint64]Record
}

func (m *memoryStore) Create(_ context.Context, st State) error {
	if err := checkState(st); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	if _, ok := m.channels[st.Name]; ok {
		return fmt.Errorf("%w: %q", ErrExists, st.Name)
	}
	m.channels[st.Name] = &memoryChannel{state: st, records: make(map[uint64]Record)}
	return nil
}

func (m *memoryStore) Load(_ context.Context, name string) (State, []Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return State{}, nil, ErrClosed
	}
	ch, ok := m.channels[name]
	if !ok {
		return State{}, nil, fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	recs := make([]Record, 0, len(ch.records))
	for _, r := range ch.records {
		recs = append(recs, r.clone())
	}
	slices.SortFunc(recs, func(a, b Record) int { return cmpSeq(a.Seq, b.Seq) })
	return ch.state, recs, nil
}

func (m *memoryStore) List(context.Context) ([]State, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	out := make([]State, 0, len(m.channels))
	for _, ch := range m.channels {
		out = append(out, ch.state)
	}
	slices.SortFunc(out, func(a, b State) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (m *memoryStore) Delete(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	if _, ok := m.channels[name]; !ok {
		return fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	delete(m.channels, name)
	return nil
}

func (m *memoryStore) Commit(_ context.Context, name string, c Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	ch, ok := m.channels[name]
	if !ok {
		return fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	if err := checkChange(ch.state, c); err != nil {
		return err
	}
	// Checked first, applied after: nothing can fail half-way.
	if c.State != nil {
		ch.state = *c.State
	}
	for _, seq := range c.Delete {
		delete(ch.records, seq)
	}
	for _, r := range c.Put {
		ch.records[r.Seq] = r.clone()
	}
	return nil
}

func (m *memoryStore) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.channels = nil
	return nil
}

func cmpSeq(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// checkState refuses a state no channel can have.
func checkState(st State) error {
	if err := checkName(st.Name); err != nil {
		return err
	}
	if st.Kind != KindWrite && st.Kind != KindRead {
		return fmt.Errorf("channel: state of %q: kind %v", st.Name, st.Kind)
	}
	if st.EndSeq < st.NextSeq {
		return fmt.Errorf("channel: state of %q: end sequence %d before next %d", st.Name, st.EndSeq, st.NextSeq)
	}
	return nil
}

// checkChange refuses a Change that would make the channel's state or
// records malformed: the same checks in every bundled store, so that a
// bad Change fails before anything is written.
func checkChange(cur State, c Change) error {
	if c.State != nil {
		if err := checkState(*c.State); err != nil {
			return err
		}
		if c.State.Name != cur.Name || c.State.Kind != cur.Kind {
			return fmt.Errorf("channel: a Change of %q may not change its name or kind", cur.Name)
		}
	}
	for _, r := range c.Put {
		if err := r.check(); err != nil {
			return err
		}
	}
	return nil
}
