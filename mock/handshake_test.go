package mock_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

func TestHandshake(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		e := start(t, gen)
		c := e.dial()
		r := c.next()
		if g := wire.DetectGeneration(r); g != gen {
			t.Fatalf("first frame is of generation %v, want %v", g, gen)
		}
		s := r.ConnectionStatus
		if !s.IsConnected || s.Err != nil {
			t.Fatalf("status %+v, want connected without error", s)
		}
		if gen == wire.Generation99 {
			if s.InstanceToken == nil || s.SphinxGeometry == nil || s.PigeonholeGeometry == nil {
				t.Fatalf("v0.0.99 status lacks token or geometry: %+v", s)
			}
			g := s.SphinxGeometry
			if g.UserForwardPayloadLength != mock.DefaultMaxPayload || g.ForwardPayloadLength != mock.DefaultReplySize ||
				g.PacketLength != 3082 || g.NIKEName != "x25519" || g.KEMName != "" {
				t.Fatalf("sphinx geometry %+v", g)
			}
			if p := s.PigeonholeGeometry; p.MaxPlaintextPayloadLength != 1549 || p.NIKEName != "CTIDH1024-X25519" {
				t.Fatalf("pigeonhole geometry %+v", p)
			}
			// The same instance token on every connection.
			s2, _ := e.dial().handshake()
			if *s2.InstanceToken != *s.InstanceToken {
				t.Fatal("instance token differs between connections")
			}
		}
		r = c.next()
		if r.NewPKIDocument == nil {
			t.Fatalf("second frame: %s", describe(r))
		}
		want, err := e.d.Document().Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(r.NewPKIDocument.Payload, want) {
			t.Fatal("handshake document differs from Document().Marshal()")
		}
	})
}

func TestDefaultDocument(t *testing.T) {
	forEachGeneration(t, func(t *testing.T, gen wire.Generation) {
		d := mock.New(mock.WithGeneration(gen), mock.WithService("ping", func(p []byte) []byte { return p }))
		defer d.Close()
		doc := d.Document()
		if d.Document() != doc {
			t.Fatal("Document changes between calls")
		}
		b, err := doc.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := pki.Parse(b)
		if err != nil {
			t.Fatalf("the default document does not parse: %v", err)
		}
		if len(parsed.Topology) != 3 || len(parsed.GatewayNodes) != 1 || len(parsed.ServiceNodes) != 1 {
			t.Fatalf("topology: %d layers, %d gateways, %d service nodes", len(parsed.Topology), len(parsed.GatewayNodes), len(parsed.ServiceNodes))
		}
		for i, layer := range parsed.Topology {
			if len(layer) != 1 || layer[0].Name != fmt.Sprintf("mix%d", i+1) {
				t.Fatalf("layer %d: %v", i, layer)
			}
		}
		gw := parsed.GatewayNodes[0]
		if gw.Name != "gateway1" || !gw.IsGatewayNode || gw.AuthenticationType != "tofu" {
			t.Fatalf("gateway %+v", gw)
		}
		sn := parsed.ServiceNodes[0]
		if sn.Name != "servicenode1" || !sn.IsServiceNode {
			t.Fatalf("service node %+v", sn)
		}
		for _, capability := range []string{"echo", "ping"} {
			if q, ok := sn.Endpoint(capability); !ok || q != "+"+capability {
				t.Fatalf("%s endpoint %q, %v", capability, q, ok)
			}
		}
		seen := map[[32]byte]bool{}
		for n := range parsed.Nodes() {
			if len(n.IdentityKey) != 32 || len(n.LinkKey) == 0 || len(n.MixKeys) != 3 || len(n.Addresses["tcp4"]) != 1 {
				t.Fatalf("node %s: keys or addresses missing", n.Name)
			}
			for e := parsed.Epoch; e < parsed.Epoch+3; e++ {
				if len(n.MixKeys[e]) != 32 {
					t.Fatalf("node %s: no mix key for epoch %d", n.Name, e)
				}
			}
			if seen[n.IdentityHash()] {
				t.Fatal("two nodes share an identity")
			}
			seen[n.IdentityHash()] = true
		}
		now := uint64(time.Since(time.Date(2017, 6, 1, 0, 0, 0, 0, time.UTC)) / (20 * time.Minute))
		if parsed.Epoch+1 < now || parsed.Epoch > now || parsed.GenesisEpoch >= parsed.Epoch {
			t.Fatalf("epoch %d (genesis %d), want about %d", parsed.Epoch, parsed.GenesisEpoch, now)
		}
		if parsed.PKISignatureScheme != "Ed25519" || len(parsed.SharedRandomValue) != 32 ||
			len(parsed.PriorSharedRandom) != 2 || len(parsed.SphinxGeometryHash) != 32 ||
			parsed.StorageReplicas == nil || len(parsed.StorageReplicas) != 0 {
			t.Fatalf("document fields: %+v", parsed)
		}
		if parsed.Mu != 0.005 || parsed.LambdaP != 0.001 || parsed.LambdaL != 0.0005 || parsed.LambdaM != 0.0005 || parsed.LambdaG != 0.002 {
			t.Fatalf("rates: %+v", parsed)
		}
		switch gen {
		case wire.Generation47:
			if parsed.Version != "v0" || parsed.SendRatePerMinute != 100 || parsed.LambdaD != 0.0005 ||
				parsed.MuMaxDelay != 1000 || parsed.LambdaPMaxDelay != 1000 || parsed.LambdaLMaxDelay != 1000 ||
				parsed.LambdaDMaxDelay != 3000 || parsed.LambdaMMaxDelay != 100 || parsed.LambdaGMaxDelay != 100 {
				t.Fatalf("v0 document: %+v", parsed)
			}
		case wire.Generation99:
			if parsed.Version != "v1" || parsed.LambdaR != 0.005 || parsed.MuMaxDelay != 0 {
				t.Fatalf("v1 document: %+v", parsed)
			}
		}
	})
}
