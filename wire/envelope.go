package wire

// envelope is the key set of a map that the daemon's Go types always
// write whole: every key present, the unused ones null. The keys are
// encoded once, so that encoding a message copies them instead of
// re-encoding them.
type envelope struct {
	header []byte   // the map's initial bytes
	keys   [][]byte // each key, encoded, in order
}

func newEnvelope(names []string) *envelope {
	e := &envelope{header: appendHead(nil, majorMap, uint64(len(names)))}
	for _, n := range names {
		e.keys = append(e.keys, appendText(nil, n))
	}
	return e
}
