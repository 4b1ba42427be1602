package main

import (
	"context"
	"expvar"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/pigeonhole"
)

// metrics is a client.Tracer that keeps its figures in expvar variables:
// calls by kind and outcome, their time, connection losses and
// reconnections, and the refreshes of waiting Pigeonhole reads (each one
// an encryption in the daemon, seconds of its CPU). It depends on nothing but the standard library; a real
// backend would feed its own metrics system the same way.
//
// The variables are not published in expvar's global registry (a test
// makes several servers); /debug/vars shows them under "katzenthin".
type metrics struct {
	root         expvar.Map
	calls        expvar.Map // "Send.ok": count
	callSeconds  expvar.Map // "Send": total seconds
	attempts     expvar.Int
	lost         expvar.Int
	reconnects   expvar.Int
	resumed      expvar.Int
	downtimeSecs expvar.Float
	refreshes    expvar.Int
}

// metrics also hears of Pigeonhole's read refreshes.
var _ pigeonhole.RefreshTracer = (*metrics)(nil)

func newMetrics() *metrics {
	m := &metrics{}
	m.root.Set("calls", &m.calls)
	m.root.Set("call_seconds", &m.callSeconds)
	m.root.Set("attempts", &m.attempts)
	m.root.Set("connection_lost", &m.lost)
	m.root.Set("reconnections", &m.reconnects)
	m.root.Set("resumed", &m.resumed)
	m.root.Set("downtime_seconds", &m.downtimeSecs)
	m.root.Set("pigeonhole_read_refreshes", &m.refreshes)
	return m
}

// CallStart adds nothing to the context: expvar has no spans.
func (m *metrics) CallStart(ctx context.Context, _ client.CallInfo) context.Context { return ctx }

// CallEnd counts the call by kind and outcome and adds its time.
func (m *metrics) CallEnd(_ context.Context, info client.CallInfo, err error) {
	kind := info.Kind.String()
	m.calls.Add(kind+"."+client.Outcome(err), 1)
	m.callSeconds.AddFloat(kind, info.Duration.Seconds())
	m.attempts.Add(int64(info.Attempts))
}

// ConnectionLost counts a loss.
func (m *metrics) ConnectionLost(error) { m.lost.Add(1) }

// Reconnected counts a reconnection, a resumed session and the downtime.
func (m *metrics) Reconnected(info client.ReconnectInfo) {
	m.reconnects.Add(1)
	if info.Resumed {
		m.resumed.Add(1)
	}
	m.downtimeSecs.Add(info.Downtime.Seconds())
}

// ReadRefreshed counts a waiting read's new envelope.
func (m *metrics) ReadRefreshed(pigeonhole.RefreshInfo) { m.refreshes.Add(1) }
