package wire

// Generation is a dialect of the thin-client protocol, named after the
// daemon release that speaks it.
type Generation uint8

const (
	// GenerationUnknown is the zero Generation.
	GenerationUnknown Generation = iota
	// Generation47 is kpclientd v0.0.47 (March 2025): flat requests.
	Generation47
	// Generation99 is kpclientd v0.0.99 (August 2026): session tokens,
	// one-operation requests, error codes.
	Generation99
)

// String returns the daemon release of g, e.g. "v0.0.47".
func (g Generation) String() string {
	switch g {
	case Generation47:
		return "v0.0.47"
	case Generation99:
		return "v0.0.99"
	default:
		return "unknown"
	}
}

// DetectGeneration tells the daemon's generation from the first response
// on a connection, which both generations make a connection status event:
// from v0.0.99 on it carries an instance token and geometries. It returns
// GenerationUnknown when first is not a connection status event.
func DetectGeneration(first *Response) Generation {
	s := first.ConnectionStatus
	switch {
	case s == nil:
		return GenerationUnknown
	case s.InstanceToken != nil || s.SphinxGeometry != nil:
		return Generation99
	default:
		return Generation47
	}
}
