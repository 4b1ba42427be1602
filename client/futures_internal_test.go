package client

import (
	"testing"
)

// TestRegisterRedrawsTakenIDs: a drawn ID that is taken is drawn again,
// so two calls never share an ID.
func TestRegisterRedrawsTakenIDs(t *testing.T) {
	c := &Client{}
	a, b := futureKey{1}, futureKey{2}
	draws := []futureKey{a, a, a, b}
	old := newID
	newID = func() futureKey { k := draws[0]; draws = draws[1:]; return k }
	defer func() { newID = old }()

	first, second := newCall(kindSURB), newCall(kindSURB)
	if err := c.register(first); err != nil || first.id != a {
		t.Fatalf("first: %x %v", first.id, err)
	}
	if err := c.register(second); err != nil || second.id != b {
		t.Fatalf("second got %x, %v; want the redrawn %x", second.id, err, b)
	}
	if len(draws) != 0 {
		t.Fatalf("%d draws left", len(draws))
	}
	// forget only removes the entry of the call that owns it.
	c.fut.forget(a, second)
	if c.fut.len() != 2 {
		t.Fatal("forget by another call removed the entry")
	}
	c.unregister(first)
	c.unregister(second)
	if n := c.fut.len(); n != 0 {
		t.Fatalf("%d entries left after unregister", n)
	}
}
