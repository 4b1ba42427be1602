// Package a has one of every form the snapshot lists.
package a

import (
	"context"
	"errors"
	"io"
)

const (
	Big         = 1 << 20
	Named  Kind = 3
	hidden      = 1
)

type Kind int

const (
	KindA Kind = iota
	KindB
)

var (
	ErrBad     = errors.New("a: bad")
	Default    = Config{Size: 1}
	DefaultPtr = &Config{}
	Hook       func(int) error
	x, Y       = 1, 2
)

type Config struct {
	Size   int
	Name   string `toml:"name"`
	hidden bool
	io.Reader
	*Kind
	A, B int
}

type Pair[K comparable, V any] struct{ Key K }

type Alias = Config

type Doer interface {
	Do(ctx context.Context, n int) (int, error)
	io.Closer
	private()
}

func New(ctx context.Context, a, b int, opts ...string) (*Config, error) { return nil, nil }

func Map[K comparable, V any](m map[K]V) []K { return nil }

func (c *Config) Close() error { return nil }

func (c Config) String() string { return "" }

func (p Pair[K, V]) Get() K { return p.Key }

func (c *Config) hidden2() {}

type unexported struct{}

func (unexported) Exported() {}

func helper() {}
