// Package service finds the services a Katzenpost network offers and names
// where to send to them.
//
// A service ("echo", "spool", "courier", ...) runs on a service node and is
// addressed by a Destination: the BLAKE2b-256 hash of the node's identity
// key and the service's recipient queue, its "endpoint" in the node's
// descriptor (docs/protocol.md 6). Find lists every node offering a capability;
// Pick chooses one of them at random, as the reference clients do, so that
// load spreads and no node learns that a client always prefers it.
//
// A short example:
//
//	svc, err := service.Pick(doc, "echo")
//	if err != nil {
//		return err // errors.Is(err, service.ErrNotFound) if nobody offers it
//	}
//	dst := svc.Destination()
//
// Everything here is a value or reads an immutable *pki.Document, so all of
// it is safe for concurrent use.
package service
