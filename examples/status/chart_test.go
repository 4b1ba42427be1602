package main

import (
	"strings"
	"testing"
	"time"
)

func TestChart(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	samples := []sample{
		{At: now.Add(-2 * time.Hour), RTT: time.Hour, Outcome: "ok"}, // outside the window: ignored, also for the scale
		{At: now.Add(-time.Hour), RTT: 3 * time.Millisecond, Outcome: "ok"},
		{At: now.Add(-30 * time.Minute), Outcome: "deadline"},
		{At: now, RTT: 7 * time.Millisecond, Outcome: "ok"},
	}
	c := newChart(samples, now)
	if len(c.Points) != 2 || len(c.Losses) != 1 || c.Empty {
		t.Fatalf("%d points, %d losses, empty %v", len(c.Points), len(c.Losses), c.Empty)
	}
	// The scale tops at 10 ms, so 7 ms is 70% up; time runs left to right.
	first, last := c.Points[0], c.Points[1]
	if first.X != c.PlotX || last.X != c.PlotRight || c.Losses[0].X != c.PlotX+c.PlotW/2 {
		t.Errorf("x: %d, %d, loss %d; plot %d..%d", first.X, last.X, c.Losses[0].X, c.PlotX, c.PlotRight)
	}
	if want := c.PlotBottom - c.PlotH*7/10; last.Y != want {
		t.Errorf("7 ms at y %d, want %d", last.Y, want)
	}
	if c.YTicks[4].Label != "10ms" || c.YTicks[0].Label != "0s" || c.XTicks[0].Label != "−60 min" || c.XTicks[4].Label != "now" {
		t.Errorf("ticks %+v %+v", c.YTicks, c.XTicks)
	}
	if !strings.Contains(c.Losses[0].Title, "lost (deadline)") || !strings.Contains(last.Title, "7ms") {
		t.Errorf("titles %q %q", c.Losses[0].Title, last.Title)
	}
	if e := newChart(nil, now); !e.Empty || e.Line != "" {
		t.Error("an empty history is not an empty chart")
	}
}

func TestNiceCeil(t *testing.T) {
	for _, tc := range []struct{ in, want time.Duration }{
		{0, time.Millisecond},
		{200 * time.Microsecond, time.Millisecond},
		{time.Millisecond, time.Millisecond},
		{1100 * time.Microsecond, 2 * time.Millisecond},
		{3 * time.Millisecond, 5 * time.Millisecond},
		{7 * time.Second, 10 * time.Second},
	} {
		if got := niceCeil(tc.in); got != tc.want {
			t.Errorf("niceCeil(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestHistoryRing(t *testing.T) {
	h := newHistory(time.Minute, 20*time.Second) // 3 per window, +2
	if len(h.buf) != 5 {
		t.Fatalf("ring of %d, want 5", len(h.buf))
	}
	base := time.Unix(0, 0)
	for i := range 7 {
		h.add(sample{At: base.Add(time.Duration(i) * time.Second)})
	}
	got := h.samples()
	if len(got) != 5 || got[0].At != base.Add(2*time.Second) || got[4].At != base.Add(6*time.Second) {
		t.Errorf("after 7 adds: %v", got)
	}
	if n := len(newHistory(time.Hour, time.Millisecond).buf); n != maxHistory {
		t.Errorf("a 1 ms ping keeps %d samples, want the cap %d", n, maxHistory)
	}
}

// A young history spans the chart from its first sample, at least a minute.
func TestChartShortSpan(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	c := newChart([]sample{{At: now.Add(-10 * time.Minute), RTT: time.Millisecond, Outcome: "ok"}, {At: now, RTT: time.Millisecond, Outcome: "ok"}}, now)
	if c.Span != "10 min" || c.Points[0].X != c.PlotX || c.XTicks[0].Label != "−10 min" || c.XTicks[2].Label != "−5 min" {
		t.Errorf("span %q, first point at %d, ticks %+v", c.Span, c.Points[0].X, c.XTicks)
	}
	c = newChart([]sample{{At: now.Add(-5 * time.Second), Outcome: "deadline"}}, now)
	if c.Span != "60 s" || c.XTicks[0].Label != "−60 s" || c.Losses[0].X <= c.PlotX+c.PlotW*9/10 {
		t.Errorf("span %q, ticks %+v, loss at %d", c.Span, c.XTicks, c.Losses[0].X)
	}
}
