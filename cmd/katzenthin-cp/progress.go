package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress shows how a transfer goes: on a terminal a bar redrawn in
// place, with bytes, boxes per second and the time left; otherwise a
// plain line every tenth of the file, or every plainEvery at least.
// Its methods are safe for concurrent use.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	verb  string // "sent", "received"
	total uint64 // bytes, 0 until known
	start time.Time
	bytes uint64
	boxes int
	last  time.Time // the last line drawn
	tenth uint64    // the last tenth a plain line reported
	drawn bool      // a bar is on the terminal's current line

	base      uint64 // bytes an earlier run did (resumed)
	baseBoxes int    // boxes an earlier run did

	tick time.Duration // how often waiting says it still waits
}

// plainEvery is how often a plain line is printed at least, however
// slow the transfer.
const plainEvery = 30 * time.Second

// barEvery bounds the bar's redraws.
const barEvery = 100 * time.Millisecond

// newProgress reports on w, as a bar if w is a terminal.
func newProgress(w io.Writer, verb string) *progress {
	p := &progress{w: w, tty: isTerminal(w), verb: verb, start: time.Now(), tick: plainEvery}
	if p.tty {
		p.tick = time.Second
	}
	return p
}

// isTerminal tells whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// setTotal sets the size of the file.
func (p *progress) setTotal(n uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = n
}

// resumed counts what an earlier run did, without counting it in the
// rates.
func (p *progress) resumed(bytes uint64, boxes int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bytes, p.boxes = bytes, boxes
	if bytes > 0 {
		fmt.Fprintf(p.w, "resuming after %d bytes in %s\n", bytes, plural(boxes, "box", "boxes"))
	}
	p.base = bytes
	p.baseBoxes = boxes
}

// add counts a box of n file bytes.
func (p *progress) add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bytes += uint64(n)
	p.boxes++
	now := time.Now()
	if p.tty {
		if now.Sub(p.last) >= barEvery || p.bytes == p.total {
			p.last = now
			p.drawn = true
			fmt.Fprintf(p.w, "\r%s", p.line(now, true))
		}
		return
	}
	tenth := uint64(0)
	if p.total > 0 {
		tenth = p.bytes * 10 / p.total
	}
	if tenth > p.tenth || now.Sub(p.last) >= plainEvery {
		p.tenth = tenth
		p.last = now
		fmt.Fprintln(p.w, p.line(now, false))
	}
}

// note prints a line about a step (the copy command, say) without
// breaking the bar.
func (p *progress) note(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endBar()
	fmt.Fprintf(p.w, format+"\n", args...)
}

// waiting says, while a step that shows no progress of its own runs
// (a copy command, the wait for the first box), how long it has taken:
// on a terminal a line redrawn every second, otherwise a line every
// plainEvery. stop ends it and waits for its goroutine.
func (p *progress) waiting(what string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	t0 := time.Now()
	wg.Go(func() {
		t := time.NewTicker(p.tick)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				p.mu.Lock()
				if p.tty {
					p.drawn = true
					fmt.Fprintf(p.w, "\r%s: %s ", what, now.Sub(t0).Round(time.Second))
				} else {
					fmt.Fprintf(p.w, "%s: still waiting after %s\n", what, now.Sub(t0).Round(time.Second))
				}
				p.mu.Unlock()
			}
		}
	})
	return sync.OnceFunc(func() {
		close(done)
		wg.Wait()
		p.mu.Lock()
		defer p.mu.Unlock()
		p.endBar()
	})
}

// endBar moves past the bar's line. p.mu is held.
func (p *progress) endBar() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

// line describes the transfer so far.
func (p *progress) line(now time.Time, bar bool) string {
	secs := now.Sub(p.start).Seconds()
	var b strings.Builder
	if bar && p.total > 0 {
		const width = 24
		filled := int(p.bytes * width / p.total)
		b.WriteString("[" + strings.Repeat("#", filled) + strings.Repeat(".", width-filled) + "] ")
	}
	fmt.Fprintf(&b, "%s %d", p.verb, p.bytes)
	if p.total > 0 {
		fmt.Fprintf(&b, "/%d bytes (%d%%)", p.total, p.bytes*100/p.total)
	} else {
		b.WriteString(" bytes")
	}
	boxes := p.boxes - p.baseBoxes
	fmt.Fprintf(&b, ", %s", plural(p.boxes, "box", "boxes"))
	if secs > 0 && boxes > 0 {
		fmt.Fprintf(&b, ", %.2f boxes/s", float64(boxes)/secs)
		if rate := float64(p.bytes-p.base) / secs; p.total > p.bytes && rate > 0 {
			eta := time.Duration(float64(p.total-p.bytes) / rate * float64(time.Second))
			fmt.Fprintf(&b, ", %s left", eta.Round(time.Second))
		}
	}
	if bar {
		b.WriteString("   ") // covers the end of a longer earlier line
	}
	return b.String()
}

// done prints the throughput line on out: bytes and boxes (what this
// run moved: a resumed transfer counts what it did itself), seconds,
// boxes per second, KiB per second.
func (p *progress) done(out io.Writer, mode string, bytes uint64, boxes int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endBar()
	secs := time.Since(p.start).Seconds()
	var boxRate, kibRate float64
	if secs > 0 {
		boxRate = float64(boxes) / secs
		kibRate = float64(bytes) / 1024 / secs
	}
	fmt.Fprintf(out, "%s %d bytes in %s (%s) in %.3f s: %.2f boxes/s, %.1f KiB/s\n",
		p.verb, bytes, plural(boxes, "box", "boxes"), mode, secs, boxRate, kibRate)
}

// plural writes n and the noun that goes with it.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
