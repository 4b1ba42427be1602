package client

// Tracer returns the Tracer set with WithTracer, nil when none is.
// Packages built on the client (pigeonhole) use it to report events of
// their own through optional interfaces the tracer may implement.
func (c *Client) Tracer() Tracer {
	return c.o.tracer
}
