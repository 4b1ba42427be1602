package pki_test

import (
	"encoding/hex"
	"reflect"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/pki"
)

func mustParse(tb testing.TB, c capturedDoc) *pki.Document {
	tb.Helper()
	d, err := pki.Parse(documentBytes(tb, c))
	if err != nil {
		tb.Fatalf("%s: %v", c.name, err)
	}
	return d
}

func fromHex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// wantNode is what a test expects of one descriptor.
type wantNode struct {
	name     string
	epoch    uint64
	address  string // the single tcp4 address
	gateway  bool
	service  bool
	auth     string
	identity string // hex IdentityKey prefix
}

func checkNode(t *testing.T, where string, m *pki.MixDescriptor, w wantNode, docEpoch uint64) {
	t.Helper()
	if m == nil {
		t.Fatalf("%s: nil descriptor", where)
	}
	if m.Name != w.name {
		t.Errorf("%s: Name = %q, want %q", where, m.Name, w.name)
	}
	if m.Epoch != w.epoch {
		t.Errorf("%s: Epoch = %d, want %d", where, m.Epoch, w.epoch)
	}
	if want := map[string][]string{"tcp4": {w.address}}; !reflect.DeepEqual(m.Addresses, want) {
		t.Errorf("%s: Addresses = %v, want %v", where, m.Addresses, want)
	}
	if m.IsGatewayNode != w.gateway || m.IsServiceNode != w.service {
		t.Errorf("%s: IsGatewayNode, IsServiceNode = %v, %v, want %v, %v", where, m.IsGatewayNode, m.IsServiceNode, w.gateway, w.service)
	}
	if m.AuthenticationType != w.auth {
		t.Errorf("%s: AuthenticationType = %q, want %q", where, m.AuthenticationType, w.auth)
	}
	if m.LoadWeight != 0 || m.Version != "" {
		t.Errorf("%s: LoadWeight, Version = %d, %q, want 0, \"\"", where, m.LoadWeight, m.Version)
	}
	if len(m.IdentityKey) != 32 || hex.EncodeToString(m.IdentityKey[:4]) != w.identity {
		t.Errorf("%s: IdentityKey = %x, want 32 bytes starting %s", where, m.IdentityKey, w.identity)
	}
	// x25519 Sphinx and xwing link keys, as the READMEs describe.
	if len(m.LinkKey) != 1216 {
		t.Errorf("%s: LinkKey has %d bytes, want 1216 (xwing)", where, len(m.LinkKey))
	}
	// Every node publishes Sphinx keys for the document's epoch and the
	// next two.
	if len(m.MixKeys) != 3 {
		t.Errorf("%s: %d MixKeys, want 3", where, len(m.MixKeys))
	}
	for e := docEpoch; e < docEpoch+3; e++ {
		if len(m.MixKeys[e]) != 32 {
			t.Errorf("%s: MixKeys[%d] has %d bytes, want 32 (x25519)", where, e, len(m.MixKeys[e]))
		}
	}
	if !w.service && (m.Services != nil || m.AdvertizedData != nil) {
		t.Errorf("%s: Services = %v, AdvertizedData = %v, want nil", where, m.Services, m.AdvertizedData)
	}
}

func TestParseV0047(t *testing.T) {
	for i, c := range capturedDocs[:3] {
		t.Run(c.name, func(t *testing.T) {
			d := mustParse(t, c)
			epoch := uint64(2494607 + i)
			if d.Epoch != epoch {
				t.Errorf("Epoch = %d, want %d", d.Epoch, epoch)
			}
			scalars := []struct {
				name      string
				got, want any
			}{
				{"GenesisEpoch", d.GenesisEpoch, uint64(2494602)},
				{"SendRatePerMinute", d.SendRatePerMinute, uint64(100)},
				{"Mu", d.Mu, 0.005},
				{"MuMaxDelay", d.MuMaxDelay, uint64(1000)},
				{"LambdaP", d.LambdaP, 0.001},
				{"LambdaPMaxDelay", d.LambdaPMaxDelay, uint64(1000)},
				{"LambdaL", d.LambdaL, 0.0005},
				{"LambdaLMaxDelay", d.LambdaLMaxDelay, uint64(1000)},
				{"LambdaD", d.LambdaD, 0.0005},
				{"LambdaDMaxDelay", d.LambdaDMaxDelay, uint64(3000)},
				{"LambdaM", d.LambdaM, 0.0005},
				{"LambdaMMaxDelay", d.LambdaMMaxDelay, uint64(100)},
				{"LambdaG", d.LambdaG, 0.002},
				{"LambdaGMaxDelay", d.LambdaGMaxDelay, uint64(100)},
				{"LambdaR", d.LambdaR, 0.0},
				{"Version", d.Version, "v0"},
				{"PKISignatureScheme", d.PKISignatureScheme, "Ed25519"},
				{"SphinxGeometryHash", hex.EncodeToString(d.SphinxGeometryHash), "ed57ca3bc2165a0483e0d16d97511e15f318ed5cedfc3e7388c85ee8a2c0fb47"},
				{"len(SharedRandomValue)", len(d.SharedRandomValue), 32},
				{"len(PriorSharedRandom)", len(d.PriorSharedRandom), 2},
				{"PriorSharedRandom[0]", hex.EncodeToString(d.PriorSharedRandom[0]), "40c8701dac0f16b21ad3486be61ad18e3dd8f3df208866575be59c3f504822ae"},
				// Null in the capture: nil, not empty.
				{"SharedRandomCommit == nil", d.SharedRandomCommit == nil, true},
				{"SharedRandomReveal == nil", d.SharedRandomReveal == nil, true},
				// An empty array in the capture: empty, not nil.
				{"StorageReplicas != nil", d.StorageReplicas != nil, true},
				{"len(StorageReplicas)", len(d.StorageReplicas), 0},
			}
			for _, s := range scalars {
				if s.got != s.want {
					t.Errorf("%s = %v, want %v", s.name, s.got, s.want)
				}
			}
			if i == 0 {
				if got := hex.EncodeToString(d.SharedRandomValue); got != "7a9170b41fdf056dd271f394a1021fd160c81b168ad95b7499740faab4a3439d" {
					t.Errorf("SharedRandomValue = %s", got)
				}
			}

			// v0.0.47 descriptors carry the epoch before the document's.
			nodeEpoch := epoch - 1
			if len(d.Topology) != 3 {
				t.Fatalf("%d layers, want 3", len(d.Topology))
			}
			mixes := []wantNode{
				{name: "mix1", address: "tcp://127.0.0.1:30010", identity: "f1e8481a"},
				{name: "mix2", address: "tcp://127.0.0.1:30013", identity: "92f99278"},
				{name: "mix3", address: "tcp://127.0.0.1:30016", identity: "9a8bfc33"},
			}
			for l, w := range mixes {
				if len(d.Topology[l]) != 1 {
					t.Fatalf("layer %d has %d nodes, want 1", l, len(d.Topology[l]))
				}
				w.epoch = nodeEpoch
				checkNode(t, w.name, d.Topology[l][0], w, epoch)
			}
			if len(d.GatewayNodes) != 1 || len(d.ServiceNodes) != 1 {
				t.Fatalf("%d gateways, %d service nodes, want 1, 1", len(d.GatewayNodes), len(d.ServiceNodes))
			}
			checkNode(t, "gateway1", d.GatewayNodes[0], wantNode{
				name: "gateway1", epoch: nodeEpoch, address: "tcp://127.0.0.1:30004",
				gateway: true, auth: "tofu", identity: "11b0a68d",
			}, epoch)
			sn := d.ServiceNodes[0]
			checkNode(t, "servicenode1", sn, wantNode{
				name: "servicenode1", epoch: nodeEpoch, address: "tcp://127.0.0.1:30007",
				service: true, identity: "fd3d3ac9",
			}, epoch)
			wantServices := map[string]map[string]any{}
			for _, s := range []string{"echo", "http", "panda", "spool", "testdest", "pigeonhole"} {
				wantServices[s] = map[string]any{"endpoint": "+" + s}
			}
			if !reflect.DeepEqual(sn.Services, wantServices) {
				t.Errorf("Services = %v, want %v", sn.Services, wantServices)
			}
			if sn.AdvertizedData != nil {
				t.Errorf("AdvertizedData = %v, want nil in v0", sn.AdvertizedData)
			}
			if q, ok := sn.Endpoint("echo"); !ok || q != "+echo" {
				t.Errorf("Endpoint(echo) = %q, %v, want +echo, true", q, ok)
			}
		})
	}
}

func TestParseV0099(t *testing.T) {
	for _, c := range capturedDocs[3:] {
		t.Run(c.name, func(t *testing.T) {
			d := mustParse(t, c)
			epoch := uint64(2494637)
			if c.file == capturedDocs[4].file {
				epoch = 2494639
			}
			if d.Epoch != epoch {
				t.Errorf("Epoch = %d, want %d", d.Epoch, epoch)
			}
			scalars := []struct {
				name      string
				got, want any
			}{
				// The network started in the captured greeting's epoch.
				{"GenesisEpoch", d.GenesisEpoch, uint64(2494637)},
				{"Mu", d.Mu, 0.005},
				{"LambdaP", d.LambdaP, 0.001},
				{"LambdaL", d.LambdaL, 0.0005},
				{"LambdaM", d.LambdaM, 0.0005},
				{"LambdaG", d.LambdaG, 0.0015},
				{"LambdaR", d.LambdaR, 0.005},
				// Keys v1 does not have stay zero.
				{"LambdaD", d.LambdaD, 0.0},
				{"SendRatePerMinute", d.SendRatePerMinute, uint64(0)},
				{"MuMaxDelay", d.MuMaxDelay, uint64(0)},
				{"LambdaDMaxDelay", d.LambdaDMaxDelay, uint64(0)},
				{"Version", d.Version, "v1"},
				{"PKISignatureScheme", d.PKISignatureScheme, "Ed25519"},
				{"SphinxGeometryHash", hex.EncodeToString(d.SphinxGeometryHash), "ed57ca3bc2165a0483e0d16d97511e15f318ed5cedfc3e7388c85ee8a2c0fb47"},
				{"len(PriorSharedRandom)", len(d.PriorSharedRandom), 2},
				{"SharedRandomCommit == nil", d.SharedRandomCommit == nil, true},
				{"SharedRandomReveal == nil", d.SharedRandomReveal == nil, true},
				{"StorageReplicas != nil", d.StorageReplicas != nil, true},
				{"len(StorageReplicas)", len(d.StorageReplicas), 0},
			}
			for _, s := range scalars {
				if s.got != s.want {
					t.Errorf("%s = %v, want %v", s.name, s.got, s.want)
				}
			}

			// v0.0.99 descriptors carry the document's own epoch.
			if len(d.Topology) != 3 {
				t.Fatalf("%d layers, want 3", len(d.Topology))
			}
			mixes := []wantNode{
				{name: "mix1", address: "tcp://127.0.0.1:30014", identity: "84b77c57"},
				{name: "mix2", address: "tcp://127.0.0.1:30017", identity: "bdda50a9"},
				{name: "mix3", address: "tcp://127.0.0.1:30020", identity: "c015d94e"},
			}
			for l, w := range mixes {
				if len(d.Topology[l]) != 1 {
					t.Fatalf("layer %d has %d nodes, want 1", l, len(d.Topology[l]))
				}
				w.epoch = epoch
				checkNode(t, w.name, d.Topology[l][0], w, epoch)
			}
			if len(d.GatewayNodes) != 1 || len(d.ServiceNodes) != 1 {
				t.Fatalf("%d gateways, %d service nodes, want 1, 1", len(d.GatewayNodes), len(d.ServiceNodes))
			}
			checkNode(t, "gateway1", d.GatewayNodes[0], wantNode{
				name: "gateway1", epoch: epoch, address: "tcp://127.0.0.1:30007",
				gateway: true, auth: "tofu", identity: "7b314376",
			}, epoch)
			sn := d.ServiceNodes[0]
			checkNode(t, "servicenode1", sn, wantNode{
				name: "servicenode1", epoch: epoch, address: "tcp://127.0.0.1:30010",
				service: true, identity: "74442cfb",
			}, epoch)
			wantServices := map[string]map[string]any{
				"echo":     {"endpoint": "+echo"},
				"http":     {"endpoint": "+http"},
				"courier":  {"endpoint": "courier"}, // no '+', unlike the others
				"testdest": {"endpoint": "+testdest"},
			}
			if !reflect.DeepEqual(sn.Services, wantServices) {
				t.Errorf("Services = %v, want %v", sn.Services, wantServices)
			}
			if len(sn.AdvertizedData) != 1 {
				t.Fatalf("AdvertizedData = %v, want courier only", sn.AdvertizedData)
			}
			key, _ := sn.AdvertizedData["courier"]["linkPublicKey"].(string)
			if !strings.HasPrefix(key, "-----BEGIN XWING PUBLIC KEY-----\n") {
				t.Errorf("courier linkPublicKey = %.40q..., want a PEM XWING key", key)
			}
		})
	}
}

// TestParseCertificate checks that the certified document in a v0.0.99
// get_pki_document_reply is the greeting's document, and that a bare
// document is not mistaken for a certificate.
func TestParseCertificate(t *testing.T) {
	cert := framePayload(t, capturedDocs[5].file)
	fromCert, err := pki.ParseCertificate(cert)
	if err != nil {
		t.Fatal(err)
	}
	greeting := mustParse(t, capturedDocs[3])
	if !reflect.DeepEqual(fromCert, greeting) {
		t.Error("the certificate's document differs from the greeting document of the same epoch")
	}
	if _, err := pki.ParseCertificate(documentBytes(t, capturedDocs[3])); err == nil {
		t.Error("ParseCertificate accepted a bare document")
	}
}

// TestParseUnknownKeysIgnored checks forward compatibility: keys a newer
// daemon might add do not make the document invalid.
func TestParseUnknownKeysIgnored(t *testing.T) {
	b := encode(t, map[string]any{
		"Epoch":      uint64(7),
		"Version":    "v2",
		"NewFeature": map[string]any{"x": 1},
		"GatewayNodes": []any{encode(t, map[string]any{
			"Name":          "gw",
			"IsGatewayNode": true,
			"SomethingNew":  []any{1, 2},
		})},
	})
	d, err := pki.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if d.Epoch != 7 || d.Version != "v2" || len(d.GatewayNodes) != 1 || d.GatewayNodes[0].Name != "gw" {
		t.Errorf("got %+v", d)
	}
}

// TestParseServicesKeys checks that services are found under either wire
// key whatever the document's version.
func TestParseServicesKeys(t *testing.T) {
	for _, key := range []string{"omitempty", "Kaetzchen"} {
		for _, version := range []string{"v0", "v1"} {
			b := encode(t, map[string]any{
				"Version": version,
				"ServiceNodes": []any{encode(t, map[string]any{
					"Name": "sn",
					key:    map[string]any{"echo": map[string]any{"endpoint": "+echo"}},
				})},
			})
			d, err := pki.Parse(b)
			if err != nil {
				t.Fatalf("%s in %s: %v", key, version, err)
			}
			if q, ok := d.ServiceNodes[0].Endpoint("echo"); !ok || q != "+echo" {
				t.Errorf("%s in %s: Endpoint(echo) = %q, %v", key, version, q, ok)
			}
		}
	}
}

// TestParseDoesNotAlias checks that a parsed document keeps no reference
// to the input buffer, which a reader may reuse for the next frame.
func TestParseDoesNotAlias(t *testing.T) {
	in := documentBytes(t, capturedDocs[0])
	want := mustParse(t, capturedDocs[0])
	d, err := pki.Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	clear(in)
	if !reflect.DeepEqual(d, want) {
		t.Error("the document changed when its input was overwritten")
	}
}
