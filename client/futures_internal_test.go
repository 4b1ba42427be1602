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
	var id1, id2 futureKey
	if err := c.register(first, &id1, true); err != nil || id1 != a {
		t.Fatalf("first: %x %v", id1, err)
	}
	if err := c.register(second, &id2, true); err != nil || id2 != b {
		t.Fatalf("second got %x, %v; want the redrawn %x", id2, err, b)
	}
	if len(draws) != 0 {
		t.Fatalf("%d draws left", len(draws))
	}
	// A kept ID (a reliable send's message ID) that is taken is an error.
	third := newCall(kindReliable)
	kept := a
	if err := c.register(third, &kept, false); err == nil {
		t.Fatal("a taken message ID was accepted")
	}
	// forget only removes the entry of the call that owns it.
	c.fut.forget(a, third)
	if got, _, _ := c.fut.take(a); got != first {
		t.Fatal("forget by another call removed the entry")
	}
}
