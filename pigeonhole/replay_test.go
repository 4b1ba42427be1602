package pigeonhole_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/client"
	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/transport"
	"github.com/katzenthin/katzenthin/wire"
)

// The replays: each connection of the captured flows (docs/protocol.md 9.11)
// is played by a fake daemon written here on top of wire alone, not the
// mock. It sends the captured handshake and, for every request the
// client writes, checks that the request equals the captured one byte for
// byte but for its query ID, then sends the captured replies with the
// client's query ID put in. The test drives package pigeonhole with the
// arguments of the captured requests, so the same requests must come
// out, and checks each call's outcome against the captured reply.

const phCaptures = "../testdata/daemon-v0.0.99/pigeonhole"

// capturedFrame is one frame of a captured connection.
type capturedFrame struct {
	name string // file name
	c2d  bool   // client to daemon
	kind string // the frame's one non-null key
	body []byte
}

func loadConn(t *testing.T, dir string) []capturedFrame {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var frames []capturedFrame
	seq := map[string]int{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".cbor") {
			continue
		}
		parts := strings.SplitN(strings.TrimSuffix(name, ".cbor"), "-", 3)
		n, err := strconv.Atoi(parts[0])
		if err != nil || len(parts) != 3 {
			t.Fatalf("unexpected capture file %s", name)
		}
		body, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		seq[name] = n
		frames = append(frames, capturedFrame{name: name, c2d: parts[1] == "c2d", kind: parts[2], body: body})
	}
	sort.Slice(frames, func(i, j int) bool { return seq[frames[i].name] < seq[frames[j].name] })
	return frames
}

// replayDaemon plays one captured connection.
type replayDaemon struct {
	t      *testing.T
	frames []capturedFrame
	l      net.Listener
	addr   string
	// instr says, for each captured request in order, whether the client
	// writes it (true) or refuses it before writing (false).
	instr chan bool
	got   chan struct{} // one per request received and checked
	quit  chan struct{} // closed when the test ends
	idle  chan struct{} // closed when every frame before the thin close is sent
	done  chan struct{}

	mu   sync.Mutex
	qids map[wire.QueryID]wire.QueryID // captured → client
}

func startReplay(t *testing.T, frames []capturedFrame) *replayDaemon {
	t.Helper()
	var b [8]byte
	rand.Read(b[:])
	addr := "@katzenthin-replay-" + hex.EncodeToString(b[:])
	l, err := net.Listen("unix", addr)
	if err != nil {
		t.Fatal(err)
	}
	rd := &replayDaemon{t: t, frames: frames, l: l, addr: addr, instr: make(chan bool, 1), got: make(chan struct{}, 1),
		quit: make(chan struct{}), idle: make(chan struct{}), done: make(chan struct{}), qids: map[wire.QueryID]wire.QueryID{}}
	go rd.serve()
	t.Cleanup(func() {
		close(rd.quit)
		l.Close()
		<-rd.done
	})
	return rd
}

func (rd *replayDaemon) serve() {
	defer close(rd.done)
	conn, err := rd.l.Accept()
	if err != nil {
		rd.t.Errorf("accept: %v", err)
		return
	}
	defer conn.Close()
	stop := context.AfterFunc(quitCtx(rd.quit), func() { conn.Close() })
	defer stop()
	r := wire.NewReader(bufio.NewReader(conn), 0)
	for _, f := range rd.frames {
		if !f.c2d {
			body, ok := rd.patch(f)
			if ok {
				if _, err := conn.Write(wire.AppendFrame(nil, body)); err != nil {
					rd.t.Errorf("%s: write: %v", f.name, err)
					return
				}
			}
			continue
		}
		if f.kind == "thin_close" {
			close(rd.idle)
		}
		switch f.kind {
		case "session_token", "thin_close":
			body, err := r.ReadFrame()
			if err != nil {
				rd.t.Errorf("%s: read: %v", f.name, err)
				return
			}
			var req wire.Request99
			if err := wire.DecodeRequest99(body, &req); err != nil || req.OperationName() != f.kind {
				rd.t.Errorf("%s: got %q (%v)", f.name, req.OperationName(), err)
				return
			}
		default:
			select {
			case expect := <-rd.instr:
				if !expect {
					continue // refused by the client: its replies are left out too
				}
			case <-rd.quit:
				return
			}
			if !rd.check(f, r) {
				return
			}
			select {
			case rd.got <- struct{}{}:
			case <-rd.quit:
				return
			}
		}
	}
}

// quitCtx is a context that ends when quit is closed.
func quitCtx(quit <-chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-quit
		cancel()
	}()
	return ctx
}

// check reads the client's request and compares it with f's.
func (rd *replayDaemon) check(f capturedFrame, r *wire.Reader) bool {
	body, err := r.ReadFrame()
	if err != nil {
		rd.t.Errorf("%s: read: %v", f.name, err)
		return false
	}
	var got, want wire.Request99
	if err := wire.DecodeRequest99(body, &got); err != nil {
		rd.t.Errorf("%s: client's request: %v", f.name, err)
		return false
	}
	if err := wire.DecodeRequest99(f.body, &want); err != nil {
		rd.t.Errorf("%s: %v", f.name, err)
		return false
	}
	cq, wq := got.QueryID(), want.QueryID()
	if cq == nil || wq == nil {
		rd.t.Errorf("%s: no query ID in %q", f.name, got.OperationName())
		return false
	}
	clientQID := *cq
	got.SetQueryID(*wq)
	if enc := got.AppendFrame(nil); !bytes.Equal(enc, wire.AppendFrame(nil, f.body)) {
		rd.t.Errorf("%s: the client's %q differs from the captured request (%d bytes, want %d)",
			f.name, got.OperationName(), len(enc)-4, len(f.body))
		return false
	}
	rd.mu.Lock()
	rd.qids[*wq] = clientQID
	rd.mu.Unlock()
	return true
}

// patch puts the client's query ID into a captured reply; it reports
// false for a reply to a request the client did not write.
func (rd *replayDaemon) patch(f capturedFrame) ([]byte, bool) {
	var resp wire.Response
	if err := wire.DecodeResponse(f.body, &resp); err != nil {
		rd.t.Errorf("%s: %v", f.name, err)
		return nil, false
	}
	kind, q := resp.QueryReply()
	if kind == wire.ReplyNone {
		return f.body, true
	}
	rd.mu.Lock()
	cq, ok := rd.qids[*q]
	rd.mu.Unlock()
	if !ok {
		return nil, false
	}
	// The query ID is a 16-byte CBOR byte string (0x50), once per reply.
	return bytes.Replace(f.body, append([]byte{0x50}, q[:]...), append([]byte{0x50}, cq[:]...), 1), true
}

// outcome is what one driven call returned.
type outcome struct {
	name      string // the captured request's file
	qid       wire.QueryID
	cancelled bool // the driver ended its context
	err       error
	data      []byte // a read's plaintext
}

// driver runs pigeonhole calls with the captured requests' arguments.
type driver struct {
	t       *testing.T
	p       *pigeonhole.Client
	rd      *replayDaemon
	maxText int
	wg      sync.WaitGroup

	mu       sync.Mutex
	outcomes []*outcome
	running  map[[32]byte]*running // starts by cancel handle
}

type running struct {
	cancel context.CancelFunc
	out    *outcome
}

func (dr *driver) wait() {
	select {
	case <-dr.rd.got:
	case <-time.After(10 * time.Second):
		dr.t.Fatal("the fake daemon did not get the request")
	}
}

// run starts f's call in a goroutine and waits until the daemon has its
// request.
func (dr *driver) run(f capturedFrame, req *wire.Request99, call func(ctx context.Context) ([]byte, error), handle *[32]byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	out := &outcome{name: f.name, qid: *req.QueryID()}
	dr.mu.Lock()
	dr.outcomes = append(dr.outcomes, out)
	if handle != nil {
		dr.running[*handle] = &running{cancel: cancel, out: out}
	}
	dr.mu.Unlock()
	dr.rd.instr <- true
	dr.wg.Add(1)
	go func() {
		defer dr.wg.Done()
		defer cancel()
		data, err := call(ctx)
		dr.mu.Lock()
		out.data, out.err = data, err
		if handle != nil {
			delete(dr.running, *handle)
		}
		dr.mu.Unlock()
	}()
	dr.wait()
}

// cancelRunning ends the context of the start under handle, if one runs:
// the client then writes the cancel.
func (dr *driver) cancelRunning(handle [32]byte) bool {
	dr.mu.Lock()
	r := dr.running[handle]
	if r != nil {
		r.out.cancelled = true
		delete(dr.running, handle)
	}
	dr.mu.Unlock()
	if r == nil {
		return false
	}
	dr.rd.instr <- true
	r.cancel()
	dr.wait()
	return true
}

func wc(b []byte) *pigeonhole.WriteCap {
	var w pigeonhole.WriteCap
	copy(w[:], b)
	return &w
}

func rc(b []byte) *pigeonhole.ReadCap {
	var r pigeonhole.ReadCap
	copy(r[:], b)
	return &r
}

func idx(b []byte) *pigeonhole.MessageBoxIndex {
	var i pigeonhole.MessageBoxIndex
	copy(i[:], b)
	return &i
}

func hash32(b []byte) [32]byte {
	var h [32]byte
	copy(h[:], b)
	return h
}

// drive plays one captured request.
func (dr *driver) drive(f capturedFrame) {
	t := dr.t
	var req wire.Request99
	if err := wire.DecodeRequest99(f.body, &req); err != nil {
		t.Fatalf("%s: %v", f.name, err)
	}
	p := dr.p
	none := func(err error) ([]byte, error) { return nil, err }
	switch {
	case req.NewKeypair != nil:
		dr.run(f, &req, func(ctx context.Context) ([]byte, error) {
			_, _, _, err := p.NewKeypair(ctx, req.NewKeypair.Seed)
			return nil, err
		}, nil)
	case req.EncryptWrite != nil:
		q := req.EncryptWrite
		pt := q.Plaintext
		if pt == nil {
			pt = []byte{} // an empty byte string: a tombstone
		}
		if len(pt) > dr.maxText {
			// Over the geometry's limit: refused before writing.
			dr.rd.instr <- false
			_, err := p.EncryptWrite(context.Background(), wc(q.WriteCap), idx(q.MessageBoxIndex), pt)
			if !errors.Is(err, pigeonhole.ErrInvalidLength) {
				t.Errorf("%s: oversized plaintext: %v, want ErrInvalidLength", f.name, err)
			}
			return
		}
		dr.run(f, &req, func(ctx context.Context) ([]byte, error) {
			env, err := p.EncryptWrite(ctx, wc(q.WriteCap), idx(q.MessageBoxIndex), pt)
			return env.Ciphertext, err
		}, nil)
	case req.EncryptRead != nil:
		q := req.EncryptRead
		dr.run(f, &req, func(ctx context.Context) ([]byte, error) {
			env, err := p.EncryptRead(ctx, rc(q.ReadCap), idx(q.MessageBoxIndex))
			return env.Ciphertext, err
		}, nil)
	case req.StartResendingEncryptedMessage != nil:
		q := req.StartResendingEncryptedMessage
		env := pigeonhole.Envelope{Ciphertext: q.MessageCiphertext, Descriptor: q.EnvelopeDescriptor, Hash: hash32(q.EnvelopeHash)}
		h := env.Hash
		dr.run(f, &req, func(ctx context.Context) ([]byte, error) {
			switch {
			case q.ReadCap != nil && q.NoRetryOnBoxIDNotFound:
				return p.TryRead(ctx, rc(q.ReadCap), idx(q.MessageBoxIndex), env)
			case q.ReadCap != nil:
				return p.Read(ctx, rc(q.ReadCap), idx(q.MessageBoxIndex), env)
			case q.NoIdempotentBoxAlreadyExists:
				return none(p.WriteExclusive(ctx, wc(q.WriteCap), env))
			default:
				return none(p.Write(ctx, wc(q.WriteCap), env))
			}
		}, &h)
	case req.CancelResendingEncryptedMessage != nil:
		h := hash32(req.CancelResendingEncryptedMessage.EnvelopeHash)
		if !dr.cancelRunning(h) {
			dr.run(f, &req, func(ctx context.Context) ([]byte, error) { return none(p.CancelEnvelope(ctx, h)) }, nil)
		}
	case req.StartResendingCopyCommand != nil:
		w := wc(req.StartResendingCopyCommand.WriteCap)
		h := w.Hash()
		dr.run(f, &req, func(ctx context.Context) ([]byte, error) { return none(p.Copy(ctx, w)) }, &h)
	case req.CancelResendingCopyCommand != nil:
		h := hash32(req.CancelResendingCopyCommand.WriteCapHash)
		if !dr.cancelRunning(h) {
			dr.run(f, &req, func(ctx context.Context) ([]byte, error) { return none(p.CancelCopy(ctx, h)) }, nil)
		}
	case req.NextMessageBoxIndex != nil:
		dr.run(f, &req, func(ctx context.Context) ([]byte, error) {
			n, err := p.NextIndex(ctx, idx(req.NextMessageBoxIndex.MessageBoxIndex))
			return n[:], err
		}, nil)
	case req.GetMessageBoxIndexCounter != nil:
		dr.run(f, &req, func(ctx context.Context) ([]byte, error) {
			_, err := p.Counter(ctx, idx(req.GetMessageBoxIndexCounter.MessageBoxIndex))
			return nil, err
		}, nil)
	case req.GetDirectoryAuthorities != nil:
		dr.run(f, &req, func(ctx context.Context) ([]byte, error) { _, err := p.DirectoryAuthorities(ctx); return nil, err }, nil)
	case req.CreateCourierEnvelopesFromPayload != nil:
		q := req.CreateCourierEnvelopesFromPayload
		dr.run(f, &req, func(ctx context.Context) ([]byte, error) {
			_, err := p.EnvelopesFromPayload(ctx, wc(q.DestWriteCap), idx(q.DestStartIndex), q.Payload, q.IsStart, q.IsLast)
			return nil, err
		}, nil)
	case req.CreateCourierEnvelopesFromMultiPayload != nil:
		q := req.CreateCourierEnvelopesFromMultiPayload
		dests := make([]pigeonhole.Destination, len(q.Destinations))
		for i, d := range q.Destinations {
			dests[i] = pigeonhole.Destination{Payload: d.Payload, WriteCap: wc(d.WriteCap), Start: idx(d.StartIndex)}
		}
		dr.run(f, &req, func(ctx context.Context) ([]byte, error) {
			_, err := p.EnvelopesFromMultiPayload(ctx, dests, q.IsStart, q.IsLast, q.Buffer)
			return nil, err
		}, nil)
	case req.CreateCourierEnvelopesFromTombstoneRange != nil:
		q := req.CreateCourierEnvelopesFromTombstoneRange
		dr.run(f, &req, func(ctx context.Context) ([]byte, error) {
			_, err := p.EnvelopesFromTombstoneRange(ctx, wc(q.DestWriteCap), idx(q.DestStartIndex), q.MaxCount, q.IsStart, q.IsLast, q.Buffer)
			return nil, err
		}, nil)
	case req.VoucherMint != nil:
		q := req.VoucherMint
		dr.run(f, &req, func(ctx context.Context) ([]byte, error) {
			_, err := p.VoucherMint(ctx, wc(q.MessageWriteCap), q.DisplayName)
			return nil, err
		}, nil)
	case req.VoucherDeriveStream != nil:
		v := hash32(req.VoucherDeriveStream.Voucher)
		dr.run(f, &req, func(ctx context.Context) ([]byte, error) { _, _, err := p.VoucherDeriveStream(ctx, v); return nil, err }, nil)
	default:
		t.Fatalf("%s: no call for %q", f.name, req.OperationName())
	}
}

// captured replies by the captured query ID: the last one of each (a
// cancelled start's 24 comes after nothing else).
func capturedReplies(t *testing.T, frames []capturedFrame) map[wire.QueryID]*wire.Response {
	m := map[wire.QueryID]*wire.Response{}
	for _, f := range frames {
		if f.c2d {
			continue
		}
		var resp wire.Response
		if err := wire.DecodeResponse(f.body, &resp); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if _, q := resp.QueryReply(); q != nil {
			m[*q] = &resp
		}
	}
	return m
}

// maxPlaintext reads the geometry of the captured first frame.
func maxPlaintext(t *testing.T, frames []capturedFrame) int {
	var resp wire.Response
	if err := wire.DecodeResponse(frames[0].body, &resp); err != nil || resp.ConnectionStatus == nil ||
		resp.ConnectionStatus.PigeonholeGeometry == nil {
		t.Fatalf("first frame: %v", err)
	}
	return resp.ConnectionStatus.PigeonholeGeometry.MaxPlaintextPayloadLength
}

func TestReplayCapturedFlows(t *testing.T) {
	flows, err := filepath.Glob(filepath.Join(phCaptures, "*", "conn*"))
	if err != nil || len(flows) < 10 {
		t.Fatalf("captures: %d, %v", len(flows), err)
	}
	for _, dir := range flows {
		name := filepath.Base(filepath.Dir(dir)) + "/" + filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			frames := loadConn(t, dir)
			if name == "g-bad-read-cap/conn02" {
				badReadCap(t, frames)
				return
			}
			replayConn(t, frames)
		})
	}
}

// badReadCap: flow g's raw socket wrote a 10-byte read cap and the
// daemon closed the connection. The typed API cannot send one: a ReadCap
// is 136 bytes, and one made from other lengths is refused.
func badReadCap(t *testing.T, frames []capturedFrame) {
	for _, f := range frames {
		if f.kind != "encrypt_read" {
			continue
		}
		var req wire.Request99
		if err := wire.DecodeRequest99(f.body, &req); err != nil {
			t.Fatal(err)
		}
		var r pigeonhole.ReadCap
		if err := r.UnmarshalBinary(req.EncryptRead.ReadCap); !errors.Is(err, pigeonhole.ErrInvalidLength) {
			t.Fatalf("ReadCap from %d bytes: %v, want ErrInvalidLength", len(req.EncryptRead.ReadCap), err)
		}
		return
	}
	t.Fatal("no encrypt_read in the capture")
}

func replayConn(t *testing.T, frames []capturedFrame) {
	rd := startReplay(t, frames)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.WithDialer(transport.Unix(rd.addr)), client.WithReconnect(client.NoReconnect))
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer c.Close()
	dr := &driver{t: t, p: pigeonhole.New(c), rd: rd, maxText: maxPlaintext(t, frames), running: map[[32]byte]*running{}}
	for _, f := range frames {
		if f.c2d && f.kind != "session_token" && f.kind != "thin_close" {
			dr.drive(f)
		}
	}
	dr.wg.Wait()
	// The last replies (a cancel's) may still be on their way: close only
	// when the daemon has sent everything, as the captured client did.
	select {
	case <-rd.idle:
	case <-time.After(10 * time.Second):
		t.Fatal("the fake daemon did not reach the thin close")
	}
	replies := capturedReplies(t, frames)
	for _, out := range dr.outcomes {
		checkOutcome(t, out, replies[out.qid])
	}
	c.Close()
	select {
	case <-rd.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the fake daemon did not see the thin close")
	}
}

// checkOutcome compares a call's result with the captured reply.
func checkOutcome(t *testing.T, out *outcome, reply *wire.Response) {
	t.Helper()
	if errors.Is(out.err, context.DeadlineExceeded) {
		t.Errorf("%s: hung: %v", out.name, out.err)
		return
	}
	if out.cancelled {
		if !errors.Is(out.err, context.Canceled) {
			t.Errorf("%s: cancelled call returned %v, want context.Canceled", out.name, out.err)
		}
		return
	}
	if reply == nil {
		t.Errorf("%s: no captured reply", out.name)
		return
	}
	code, _ := reply.ErrorCode()
	var pe *pigeonhole.Error
	switch {
	case code == 0 && out.err != nil:
		t.Errorf("%s: %v, want success", out.name, out.err)
	case code != 0 && (!errors.As(out.err, &pe) || pe.Code != uint8(code)):
		t.Errorf("%s: %v, want an *Error with code %d", out.name, out.err, code)
	}
	if r := reply.StartResendingEncryptedMessageReply; r != nil && code == 0 && r.Plaintext != nil && !bytes.Equal(out.data, r.Plaintext) {
		t.Errorf("%s: read %d bytes, want the captured %d", out.name, len(out.data), len(r.Plaintext))
	}
	if r := reply.EncryptWriteReply; r != nil && code == 0 && !bytes.Equal(out.data, r.MessageCiphertext) {
		t.Errorf("%s: ciphertext differs from the captured one", out.name)
	}
}
