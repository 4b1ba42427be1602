package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The chart's geometry, in SVG user units.
const (
	chartW      = 1100
	chartH      = 190
	chartLeft   = 64 // room for the RTT labels
	chartRight  = 16
	chartTop    = 16
	chartBottom = 30 // room for the time labels
	chartWindow = time.Hour
	// chartMinSpan is the shortest time the chart spans.
	chartMinSpan = time.Minute
)

// chart is an SVG line chart of echo round-trip times over the last
// chartWindow, with every lost ping marked, computed here so that the
// template only places it.
type chart struct {
	Width, Height              int
	PlotX, PlotY, PlotW, PlotH int
	PlotBottom, PlotRight      int
	Line                       string // polyline points of the replies
	Points                     []mark // one per reply
	Losses                     []mark // one per lost ping
	YTicks, XTicks             []tick
	Empty                      bool
	Span                       string // the time the chart spans: "60 min", "45 s"
}

// mark is a point on the chart, with its tooltip.
type mark struct {
	X, Y  int
	Title string
}

// tick is an axis label and its grid line.
type tick struct {
	X, Y  int
	Label string
}

// newChart draws samples (oldest first) as of now.
func newChart(samples []sample, now time.Time) chart {
	c := chart{
		Width: chartW, Height: chartH,
		PlotX: chartLeft, PlotY: chartTop,
		PlotW: chartW - chartLeft - chartRight, PlotH: chartH - chartTop - chartBottom,
	}
	c.PlotBottom, c.PlotRight = c.PlotY+c.PlotH, c.PlotX+c.PlotW
	// The chart spans the last hour, or less while the history is
	// younger (but at least chartMinSpan): the points of a page opened a
	// minute ago spread over the width instead of piling up at its end.
	start := now.Add(-chartWindow)
	for _, s := range samples {
		if !s.At.Before(start) {
			start = s.At
			break
		}
	}
	if latest := now.Add(-chartMinSpan); start.After(latest) {
		start = latest
	}
	span := now.Sub(start)
	c.Span = spanLabel(span)
	var top time.Duration
	for _, s := range samples {
		if !s.At.Before(start) && !s.lost() {
			top = max(top, s.RTT)
		}
	}
	top = niceCeil(top)
	x := func(t time.Time) int {
		return c.PlotX + int(float64(c.PlotW)*float64(t.Sub(start))/float64(span))
	}
	y := func(d time.Duration) int {
		return c.PlotBottom - int(float64(c.PlotH)*float64(d)/float64(top))
	}
	var line []string
	for _, s := range samples {
		if s.At.Before(start) {
			continue
		}
		when := s.At.UTC().Format("15:04:05")
		if s.lost() {
			c.Losses = append(c.Losses, mark{X: x(s.At), Y: c.PlotY, Title: when + ": lost (" + s.Outcome + ")"})
			continue
		}
		m := mark{X: x(s.At), Y: y(s.RTT), Title: when + ": " + roundRTT(s.RTT).String()}
		c.Points = append(c.Points, m)
		line = append(line, strconv.Itoa(m.X)+","+strconv.Itoa(m.Y))
	}
	c.Line = strings.Join(line, " ")
	c.Empty = len(c.Points) == 0 && len(c.Losses) == 0
	for i := 0; i <= 4; i++ {
		d := top * time.Duration(i) / 4
		c.YTicks = append(c.YTicks, tick{X: c.PlotX - 8, Y: y(d), Label: roundRTT(d).String()})
	}
	for i := 0; i <= 4; i++ {
		t := start.Add(span * time.Duration(i) / 4)
		label := "now"
		if i < 4 {
			label = "−" + spanLabel(now.Sub(t))
		}
		c.XTicks = append(c.XTicks, tick{X: x(t), Y: c.PlotBottom + 20, Label: label})
	}
	return c
}

// niceCeil rounds d up to 1, 2 or 5 times a power of ten (of
// nanoseconds), at least a millisecond, so the axis reads well.
func niceCeil(d time.Duration) time.Duration {
	step := time.Duration(1)
	for {
		for _, m := range []time.Duration{1, 2, 5} {
			if c := m * step; c >= d && c >= time.Millisecond {
				return c
			}
		}
		step *= 10
	}
}

// roundRTT keeps three significant digits or so.
func roundRTT(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	default:
		return d.Round(time.Microsecond)
	}
}

// spanLabel says d in whole minutes, or seconds under five minutes.
func spanLabel(d time.Duration) string {
	if d < 5*time.Minute {
		return fmt.Sprintf("%d s", int(d.Seconds()+0.5))
	}
	return fmt.Sprintf("%d min", int(d.Minutes()+0.5))
}
