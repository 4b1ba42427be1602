package mock

import (
	"fmt"
	"time"

	"github.com/katzenthin/katzenthin/wire"
)

// Violation is a request that would have crashed the real daemon (or, for
// the kinds listed in Reason, broken the connection), recorded instead:
// the mock closes that client's connection (EOF, as the crash would give
// it) and serves the others on. A Violation is a plain value, safe to
// copy and to use from any goroutine.
type Violation struct {
	// Reason says what was wrong, e.g. "send with a null surbid".
	Reason string
	// AppID is the offending connection's application ID.
	AppID wire.Token
	// Generation is the protocol generation the daemon spoke.
	Generation wire.Generation
	// Time is when the daemon received the request.
	Time time.Time
}

// String describes v in one line: time, application and reason.
func (v Violation) String() string {
	return fmt.Sprintf("%s %s app %s: %s", v.Time.Format("15:04:05.000"), v.Generation, v.AppID, v.Reason)
}

// Violations returns the requests that would have crashed the real daemon,
// oldest first. Payloads are not kept. It is safe for concurrent use.
func (d *Daemon) Violations() []Violation {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Violation(nil), d.violations...)
}

// violate records a violation by c, logs it and closes c. It returns true
// so that a request handler can return its result.
func (c *conn) violate(reason string) bool {
	d := c.d
	v := Violation{Reason: reason, AppID: c.appID(), Generation: d.gen, Time: time.Now()}
	d.counters.violations.Add(1)
	d.mu.Lock()
	d.violations = append(d.violations, v)
	d.mu.Unlock()
	d.log.Warn("mock: request would crash the real daemon; closing the connection",
		"app", v.AppID.String(), "reason", reason)
	c.end(endViolation)
	return true
}
