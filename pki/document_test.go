package pki_test

import (
	"bytes"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/katzenthin/katzenthin/pki"
)

func TestNodesAndLookups(t *testing.T) {
	d := mustParse(t, capturedDocs[0])

	var names []string
	for m := range d.Nodes() {
		names = append(names, m.Name)
	}
	if want := []string{"mix1", "mix2", "mix3", "gateway1", "servicenode1"}; !slices.Equal(names, want) {
		t.Errorf("Nodes() = %v, want %v", names, want)
	}
	for range d.Nodes() {
		break // stopping early must not panic
	}

	wantLayer := map[string]int{"mix1": 0, "mix2": 1, "mix3": 2, "gateway1": pki.LayerGateway, "servicenode1": pki.LayerService}
	other := mustParse(t, capturedDocs[1]) // the next epoch: other pointers, same identities
	for name, layer := range wantLayer {
		m, ok := d.Node(name)
		if !ok || m.Name != name {
			t.Fatalf("Node(%q) = %v, %v", name, m, ok)
		}
		if got, ok := d.NodeByIdentityHash(m.IdentityHash()); !ok || got != m {
			t.Errorf("NodeByIdentityHash(%s) = %v, %v", name, got, ok)
		}
		if got, ok := d.Layer(m); !ok || got != layer {
			t.Errorf("Layer(%s) = %d, %v, want %d", name, got, ok, layer)
		}
		om, _ := other.Node(name)
		if got, ok := d.Layer(om); !ok || got != layer {
			t.Errorf("Layer(%s from another document) = %d, %v, want %d", name, got, ok, layer)
		}
	}

	if _, ok := d.Node("nobody"); ok {
		t.Error("Node(nobody) found something")
	}
	if _, ok := d.NodeByIdentityHash([32]byte{}); ok {
		t.Error("NodeByIdentityHash(zero) found something")
	}
	for _, m := range []*pki.MixDescriptor{nil, {Name: "mix1"}, {IdentityKey: []byte{1}}} {
		if l, ok := d.Layer(m); ok {
			t.Errorf("Layer(%v) = %d, true; want not found", m, l)
		}
	}

	var nilDoc *pki.Document
	for range nilDoc.Nodes() {
		t.Error("a nil document yielded a node")
	}
	if _, ok := nilDoc.Node("mix1"); ok {
		t.Error("nil document: Node found something")
	}
	if _, ok := nilDoc.Layer(&pki.MixDescriptor{}); ok {
		t.Error("nil document: Layer found something")
	}
}

func TestEndpoint(t *testing.T) {
	m := &pki.MixDescriptor{Services: map[string]map[string]any{
		"echo":   {"endpoint": "+echo"},
		"empty":  {"endpoint": ""},
		"number": {"endpoint": uint64(1)},
		"none":   {"other": "x"},
		"nilmap": nil,
	}}
	for capability, want := range map[string]string{"echo": "+echo", "empty": "", "number": "", "none": "", "nilmap": "", "absent": ""} {
		got, ok := m.Endpoint(capability)
		if got != want || ok != (want != "") {
			t.Errorf("Endpoint(%q) = %q, %v, want %q", capability, got, ok, want)
		}
	}
	var nilNode *pki.MixDescriptor
	if _, ok := nilNode.Endpoint("echo"); ok {
		t.Error("nil descriptor has an endpoint")
	}
}

// TestIdentityHash pins BLAKE2b-256 to digests computed independently
// (Python hashlib.blake2b(digest_size=32)), across block boundaries.
func TestIdentityHash(t *testing.T) {
	seq := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i)
		}
		return b
	}
	cases := []struct {
		in   []byte
		want string
	}{
		{nil, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"},
		{[]byte("abc"), "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"},
		{seq(128), "c3582f71ebb2be66fa5dd750f80baae97554f3b015663c8be377cfcb2488c1d1"},
		{seq(129), "f7f3c46ba2564ff4c4c162da1f5b605f9f1c4aa6a20652a9f9a337c1a2f5b9c9"},
		{seq(32), "cb2f5160fc1f7e05a55ef49d340b48da2e5a78099d53393351cd579dd42503d6"},
		{append(seq(255), seq(255)...), "a8da76f14a522e77769e25b040fd793c333597ab4d635a5a93061abc5c33124c"},
		{bytes.Repeat(seq(256), 3), "b8007121274217790e2923e0ad7027986e5a99d5531ef6ae7d294140fc81615d"},
		// servicenode1's IdentityKey in the v0.0.47 capture, hashed to the
		// destination_id_hash the real daemon accepted (request-send-surb.cbor).
		{fromHex(t, "fd3d3ac9c5a10b4350e5820c918b8bd83cd2d892b6fe19396ca3f07629a74f68"), "73026f2d1c940e913689ae03bce438a218316b717175860a250403fdcdef24dd"},
	}
	for _, c := range cases {
		m := &pki.MixDescriptor{IdentityKey: c.in}
		r := &pki.ReplicaDescriptor{IdentityKey: c.in}
		mh, rh := m.IdentityHash(), r.IdentityHash()
		if got := hex.EncodeToString(mh[:]); got != c.want {
			t.Errorf("MixDescriptor.IdentityHash(%d bytes) = %s, want %s", len(c.in), got, c.want)
		}
		if got := hex.EncodeToString(rh[:]); got != c.want {
			t.Errorf("ReplicaDescriptor.IdentityHash(%d bytes) = %s, want %s", len(c.in), got, c.want)
		}
	}
}

func TestString(t *testing.T) {
	var nilDoc *pki.Document
	if got := nilDoc.String(); got != "pki.Document(nil)" {
		t.Errorf("nil String() = %q", got)
	}
	var nilNode *pki.MixDescriptor
	if got := nilNode.String(); got != "<nil>" {
		t.Errorf("nil node String() = %q", got)
	}
	if got := (&pki.Document{}).String(); !strings.Contains(got, "gateways:\n  (none)\n") {
		t.Errorf("empty document String() = %q", got)
	}
	hand := &pki.Document{Topology: [][]*pki.MixDescriptor{{nil}}, StorageReplicas: []*pki.ReplicaDescriptor{nil, {Name: "r1", ReplicaID: 2}}}
	if got := hand.String(); !strings.Contains(got, "  <nil>\n") || !strings.Contains(got, "  r1 #2 (") {
		t.Errorf("hand-built document String() = %q", got)
	}

	v0 := mustParse(t, capturedDocs[0]).String()
	for _, want := range []string{
		`PKI document for epoch 2494607 (version "v0", genesis epoch 2494602, signature scheme "Ed25519")` + "\n",
		"parameters: Mu=0.005 LambdaP=0.001 LambdaL=0.0005 LambdaD=0.0005 LambdaM=0.0005 LambdaG=0.002 SendRatePerMinute=100\n",
		"max delays (ms): Mu=1000 LambdaP=1000 LambdaL=1000 LambdaD=3000 LambdaM=100 LambdaG=100\n",
		"mix layer 0:\n  mix1 (",
		"service nodes:\n  servicenode1 (73026f2d1c940e91) tcp4 tcp://127.0.0.1:30007\n",
		`    pigeonhole: endpoint "+pigeonhole"` + "\n",
	} {
		if !strings.Contains(v0, want) {
			t.Errorf("v0 String() lacks %q:\n%s", want, v0)
		}
	}

	v1 := mustParse(t, capturedDocs[3]).String()
	for _, want := range []string{
		`PKI document for epoch 2494637 (version "v1", genesis epoch 2494637, signature scheme "Ed25519")`,
		"parameters: Mu=0.005 LambdaP=0.001 LambdaL=0.0005 LambdaM=0.0005 LambdaG=0.0015 LambdaR=0.005\n",
		"mix layer 2:\n  mix3 (",
		"gateway1 (",
		"tcp4 tcp://127.0.0.1:30007, authentication tofu\n",
		`    courier: endpoint "courier", advertises linkPublicKey` + "\n",
		`    echo: endpoint "+echo"` + "\n",
	} {
		if !strings.Contains(v1, want) {
			t.Errorf("v1 String() lacks %q:\n%s", want, v1)
		}
	}
	if strings.Contains(v1, "SendRatePerMinute") || strings.Contains(v1, "max delays") {
		t.Errorf("v1 String() shows v0-only parameters:\n%s", v1)
	}
}

// TestConcurrentReads exercises the documented promise that a parsed
// document may be read from many goroutines at once (run with -race).
func TestConcurrentReads(t *testing.T) {
	d := mustParse(t, capturedDocs[0])
	want, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				_ = d.String()
				if m, ok := d.Node("servicenode1"); ok {
					_, _ = d.Layer(m)
					_, _ = m.Endpoint("echo")
					_, _ = d.NodeByIdentityHash(m.IdentityHash())
				}
				if b, err := d.Marshal(); err != nil || !bytes.Equal(b, want) {
					t.Error("concurrent Marshal differs")
					return
				}
			}
		})
	}
	wg.Wait()
}
