package main

import (
	"testing"

	"github.com/katzenthin/katzenthin/pigeonhole"
)

// TestMetricsCountRefreshes: the pigeonhole package finds ReadRefreshed
// on the client's tracer and each call is one more refresh in
// /debug/vars.
func TestMetricsCountRefreshes(t *testing.T) {
	m := newMetrics()
	var tr any = m
	rt, ok := tr.(pigeonhole.RefreshTracer)
	if !ok {
		t.Fatal("metrics does not implement pigeonhole.RefreshTracer")
	}
	rt.ReadRefreshed(pigeonhole.RefreshInfo{Refresh: 1})
	rt.ReadRefreshed(pigeonhole.RefreshInfo{Refresh: 2})
	if got := m.root.Get("pigeonhole_read_refreshes"); got == nil || got.String() != "2" {
		t.Errorf("pigeonhole_read_refreshes = %v, want 2", got)
	}
}
