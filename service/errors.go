package service

import "errors"

var (
	// ErrNotFound is returned, wrapped with the capability's name, when no
	// service node in the document offers the capability.
	ErrNotFound = errors.New("service: not found")

	// ErrInvalidDestination is returned by Destination.Validate, wrapped
	// with the reason. A client refuses such a destination before sending
	// it, because the v0.0.47 daemon crashes on it (docs/protocol.md 4).
	ErrInvalidDestination = errors.New("service: invalid destination")
)
