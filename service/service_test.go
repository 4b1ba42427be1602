package service_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/service"
)

// TestFindCaptured checks discovery against what the real daemons were
// sent: the echo destination found in each captured document must be the
// one the captured SURB send carried, hash and queue.
func TestFindCaptured(t *testing.T) {
	cases := []struct {
		name, docFile, reqFile, reqKey string
		wantHashPrefix                 string
		capabilities                   map[string]string
	}{
		{
			name:           "v0.0.47",
			docFile:        "daemon-v0.0.47/02-new_pki_document_event.cbor",
			reqFile:        "daemon-v0.0.47/request-send-surb.cbor",
			wantHashPrefix: "73026f2d1c940e913689ae03bce438a218316b717175860a250403fdcdef24dd",
			capabilities: map[string]string{
				"echo": "+echo", "http": "+http", "panda": "+panda",
				"spool": "+spool", "testdest": "+testdest", "pigeonhole": "+pigeonhole",
			},
		},
		{
			name:           "v0.0.99",
			docFile:        "daemon-v0.0.99/02-new_pki_document_event.cbor",
			reqFile:        "daemon-v0.0.99/request-07-send_message-surb.cbor",
			reqKey:         "send_message",
			wantHashPrefix: "b3281d7999afdd42",
			capabilities:   map[string]string{"echo": "+echo", "http": "+http", "courier": "courier", "testdest": "+testdest"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := capturedDocument(t, c.docFile)
			wantHash, wantQueue := capturedSend(t, c.reqFile, c.reqKey)
			if !strings.HasPrefix(hex.EncodeToString(wantHash), c.wantHashPrefix) || string(wantQueue) != "+echo" {
				t.Fatalf("captured request: hash %x queue %q", wantHash, wantQueue)
			}

			found := service.Find(doc, "echo")
			if len(found) != 1 {
				t.Fatalf("Find(echo) = %v, want one", found)
			}
			echo := found[0]
			if echo.Capability != "echo" || string(echo.Queue) != "+echo" || echo.Node == nil || echo.Node.Name != "servicenode1" {
				t.Errorf("Find(echo) = %+v", echo)
			}
			dst := echo.Destination()
			if !bytes.Equal(dst.NodeHash[:], wantHash) {
				t.Errorf("NodeHash = %x, the daemon was sent %x", dst.NodeHash, wantHash)
			}
			if !bytes.Equal(dst.Queue, wantQueue) {
				t.Errorf("Queue = %q, the daemon was sent %q", dst.Queue, wantQueue)
			}
			if err := dst.Validate(); err != nil {
				t.Errorf("Validate() = %v", err)
			}

			picked, err := service.Pick(doc, "echo")
			if err != nil || !reflect.DeepEqual(picked, echo) {
				t.Errorf("Pick(echo) = %+v, %v, want %+v", picked, err, echo)
			}

			for capability, queue := range c.capabilities {
				found := service.Find(doc, capability)
				if len(found) != 1 || string(found[0].Queue) != queue {
					t.Errorf("Find(%s) = %+v, want queue %q", capability, found, queue)
				}
			}
			// Gateways and mixes offer nothing; names of other
			// generation's services are absent.
			for _, capability := range []string{"", "Echo", "loop", "spool2"} {
				if found := service.Find(doc, capability); found != nil {
					t.Errorf("Find(%q) = %+v, want nil", capability, found)
				}
			}
		})
	}
}

// TestFindSkips checks which entries Find leaves out.
func TestFindSkips(t *testing.T) {
	long := strings.Repeat("q", service.MaxQueueLength+1)
	doc := &pki.Document{
		GatewayNodes: []*pki.MixDescriptor{node("gw-with-echo", "echo", "+echo")}, // only ServiceNodes count
		ServiceNodes: []*pki.MixDescriptor{
			nil,
			node("no-services", "", ""),
			{Name: "non-text", IdentityKey: []byte("k"), Services: map[string]map[string]any{"echo": {"endpoint": []byte("+echo")}}},
			{Name: "no-endpoint", IdentityKey: []byte("k"), Services: map[string]map[string]any{"echo": {"queue": "+echo"}}},
			{Name: "nil-params", IdentityKey: []byte("k"), Services: map[string]map[string]any{"echo": nil}},
			node("empty", "echo", ""),
			node("too-long", "echo", long),
			node("longest", "echo", long[:service.MaxQueueLength]),
			node("ok", "echo", "+echo"),
		},
	}
	var names []string
	for _, d := range service.Find(doc, "echo") {
		names = append(names, d.Node.Name)
		if err := d.Destination().Validate(); err != nil {
			t.Errorf("%s: found but invalid: %v", d.Node.Name, err)
		}
	}
	if want := []string{"longest", "ok"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Find(echo) found %v, want %v", names, want)
	}
	if found := service.Find(nil, "echo"); found != nil {
		t.Errorf("Find(nil) = %v", found)
	}
}

// TestFindOwnQueues checks that changing one result's queue touches
// neither the document nor other results.
func TestFindOwnQueues(t *testing.T) {
	doc := &pki.Document{ServiceNodes: []*pki.MixDescriptor{node("a", "echo", "+echo")}}
	first := service.Find(doc, "echo")[0]
	dst := first.Destination()
	first.Queue[0] = 'X'
	dst.Queue[1] = 'X'
	if q := service.Find(doc, "echo")[0].Queue; string(q) != "+echo" {
		t.Errorf("a later Find sees %q", q)
	}
	if string(first.Queue) != "Xecho" || string(dst.Queue) != "+Xcho" {
		t.Errorf("Destination shares its queue: %q, %q", first.Queue, dst.Queue)
	}
}

func TestPick(t *testing.T) {
	doc := &pki.Document{ServiceNodes: []*pki.MixDescriptor{
		node("a", "echo", "+echo"), node("b", "echo", "+echo"), node("c", "spool", "+spool"),
	}}
	seen := map[string]int{}
	for range 200 {
		d, err := service.Pick(doc, "echo")
		if err != nil {
			t.Fatal(err)
		}
		seen[d.Node.Name]++
	}
	// Each of the two is missed by 200 fair draws with probability 2^-200.
	if len(seen) != 2 || seen["a"] == 0 || seen["b"] == 0 {
		t.Errorf("200 picks gave %v, want both a and b", seen)
	}
	if d, err := service.Pick(doc, "spool"); err != nil || d.Node.Name != "c" {
		t.Errorf("Pick(spool) = %v, %v", d, err)
	}
}

func TestPickNotFound(t *testing.T) {
	for name, doc := range map[string]*pki.Document{
		"nil document":  nil,
		"empty":         {},
		"no such thing": {ServiceNodes: []*pki.MixDescriptor{node("a", "spool", "+spool")}},
	} {
		t.Run(name, func(t *testing.T) {
			d, err := service.Pick(doc, "echo")
			if !errors.Is(err, service.ErrNotFound) {
				t.Fatalf("Pick = %v, %v, want ErrNotFound", d, err)
			}
			if !strings.Contains(err.Error(), `"echo"`) {
				t.Errorf("error %q does not name the capability", err)
			}
			if !reflect.DeepEqual(d, service.Descriptor{}) {
				t.Errorf("Pick returned %+v with its error", d)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	hash := [32]byte{1}
	cases := []struct {
		name   string
		dst    service.Destination
		reason string // "" if valid
	}{
		{"valid", service.Destination{NodeHash: hash, Queue: []byte("+echo")}, ""},
		{"one byte", service.Destination{NodeHash: hash, Queue: []byte{0}}, ""},
		{"32 bytes", service.Destination{NodeHash: hash, Queue: bytes.Repeat([]byte{'q'}, 32)}, ""},
		{"zero value", service.Destination{}, "zero node hash"},
		{"zero hash", service.Destination{Queue: []byte("+echo")}, "zero node hash"},
		{"nil queue", service.Destination{NodeHash: hash}, "empty queue"},
		{"empty queue", service.Destination{NodeHash: hash, Queue: []byte{}}, "empty queue"},
		{"33 bytes", service.Destination{NodeHash: hash, Queue: bytes.Repeat([]byte{'q'}, 33)}, "queue of 33 bytes"},
		{"node without identity", service.Descriptor{Queue: []byte("+echo")}.Destination(), "zero node hash"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.dst.Validate()
			if c.reason == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, service.ErrInvalidDestination) || !strings.Contains(err.Error(), c.reason) {
				t.Errorf("Validate() = %v, want ErrInvalidDestination with %q", err, c.reason)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	doc := capturedDocument(t, "daemon-v0.0.47/02-new_pki_document_event.cbor")
	d := service.Find(doc, "echo")[0]
	if got, want := d.Destination().String(), `73026f2d1c940e91/"+echo"`; got != want {
		t.Errorf("Destination.String() = %s, want %s", got, want)
	}
	if got, want := d.String(), `echo at servicenode1 (73026f2d1c940e91) queue "+echo"`; got != want {
		t.Errorf("Descriptor.String() = %s, want %s", got, want)
	}
}

// node returns a service node offering capability at queue (nothing if
// capability is empty), with an identity key of its own.
func node(name, capability, queue string) *pki.MixDescriptor {
	m := &pki.MixDescriptor{Name: name, IdentityKey: []byte("identity of " + name), IsServiceNode: true}
	if capability != "" {
		m.Services = map[string]map[string]any{capability: {"endpoint": queue}}
	}
	return m
}
