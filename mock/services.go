package mock

import "github.com/katzenthin/katzenthin/pki"

// routes maps a destination (a service node's identity hash, then a queue)
// to the handler that serves it. Two plain map lookups, the second keyed
// by string(queue), cost no allocation on the request path.
type routes map[[32]byte]map[string]Handler

// newRoutes routes every endpoint of every service node of doc whose
// capability has a handler. Endpoints of capabilities without one (say, a
// captured document's "spool") are not routed: messages to them are lost.
func newRoutes(doc *pki.Document, services map[string]Handler) routes {
	r := make(routes)
	for _, node := range doc.ServiceNodes {
		if node == nil {
			continue
		}
		for capability := range node.Services {
			h := services[capability]
			queue, ok := node.Endpoint(capability)
			if h == nil || !ok {
				continue
			}
			id := node.IdentityHash()
			if r[id] == nil {
				r[id] = make(map[string]Handler)
			}
			r[id][queue] = h
		}
	}
	return r
}

// lookup returns the handler for a destination, or nil when nothing
// serves it (the packet is lost). dst must be 32 bytes long.
func (r routes) lookup(dst, queue []byte) Handler {
	if len(dst) != 32 {
		return nil
	}
	return r[[32]byte(dst)][string(queue)]
}
