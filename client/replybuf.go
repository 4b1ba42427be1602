package client

import "sync"

// The reader decodes a reply's payload as a view into its frame buffer,
// which its next read overwrites. It copies the payload into a pooled
// buffer (no allocation, so no GC assist on the one goroutine every reply
// passes through), and the caller, once woken, makes the payload its own
// with the one allocation a Send makes. The copy and the allocation thus
// run on the callers, in parallel, instead of on the reader.

// replyPool recycles the reader's reply buffers.
var replyPool = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledReply keeps buffers that grew large out of the pool.
const maxPooledReply = 64 << 10

// holdReplyLocked stores payload, a view the reader must not keep, in
// cl.reply through a pooled buffer. The caller holds cl.mu.
func (cl *call) holdReplyLocked(payload []byte) {
	if payload == nil {
		cl.reply.Payload = nil
		return
	}
	b := replyPool.Get().(*[]byte)
	*b = append((*b)[:0], payload...)
	cl.reply.Payload, cl.replyBuf = *b, b
}

// ownReply returns reply with a payload of the caller's own, appended to
// into (a fresh slice when nil), and gives the pooled buffer back. Only
// the caller calls it, once the call is done (nothing else touches the
// reply then).
func (cl *call) ownReply(reply Reply, into []byte) Reply {
	b := cl.replyBuf
	if b == nil {
		return reply
	}
	cl.replyBuf = nil
	if into == nil {
		into = make([]byte, 0, len(*b))
	}
	reply.Payload = append(into, *b...)
	if cap(*b) <= maxPooledReply {
		replyPool.Put(b)
	}
	return reply
}
