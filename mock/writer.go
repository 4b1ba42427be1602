package mock

// writeLoop drains out into the socket: it blocks for a kick, takes
// everything queued by then (swapping buffers under the lock) and writes
// it with one call. No timers: batching comes from the queue filling up
// while the previous write runs.
func (c *conn) writeLoop() {
	defer c.d.wg.Done()
	var buf []byte
	for {
		select {
		case <-c.kick:
		case <-c.stop:
			c.finish()
			return
		}
		c.wmu.Lock()
		buf, c.out = c.out, buf[:0]
		c.wmu.Unlock()
		if len(buf) == 0 {
			continue
		}
		_, err := c.nc.Write(buf)
		if cap(buf) > maxKeptBuffer && len(buf) < cap(buf)/4 {
			buf = nil
		}
		select {
		case c.drained <- struct{}{}:
		default:
		}
		if err != nil {
			c.end(endLost)
		}
	}
}

// finish writes what is left after a graceful end (the shutdown event),
// bounded by the write deadline end set, and closes the socket.
func (c *conn) finish() {
	if c.graceful {
		c.wmu.Lock()
		buf := c.out
		c.out = nil
		c.wmu.Unlock()
		if len(buf) > 0 {
			c.nc.Write(buf)
		}
	}
	c.nc.Close()
}

// waitDrained blocks while more than limit bytes wait for the writer, so
// that a burst (ReleaseReplies) does not pile up unbounded memory.
func (c *conn) waitDrained(limit int) {
	for {
		c.wmu.Lock()
		n, closed := len(c.out), c.closed
		c.wmu.Unlock()
		if n <= limit || closed {
			return
		}
		select {
		case <-c.drained:
		case <-c.stop:
			return
		}
	}
}
