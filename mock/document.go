package mock

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/wire"
)

// Katzenpost's epoch clock: epoch 0 began at 2017-06-01 00:00 UTC and an
// epoch lasts 20 minutes.
var epochZero = time.Date(2017, time.June, 1, 0, 0, 0, 0, time.UTC)

const epochPeriod = 20 * time.Minute

// currentEpoch returns the Katzenpost epoch of t.
func currentEpoch(t time.Time) uint64 {
	return uint64(t.Sub(epochZero) / epochPeriod)
}

// Sizes of the random keys in the default document: Ed25519 identity keys,
// X-Wing link keys and X25519 Sphinx keys, as in the captured networks.
const (
	identityKeySize = 32
	linkKeySize     = 1216
	mixKeySize      = 32
)

// defaultDocument builds a small network shaped like the captured ones:
// three mix layers of one mix, one gateway, one service node offering the
// given capabilities with endpoint "+capability". Keys and random values
// are random. g picks the document format: Generation99 writes a "v1"
// document (LambdaR, no MaxDelays), anything else a "v0" one.
func defaultDocument(g wire.Generation, capabilities []string, now time.Time) *pki.Document {
	epoch := currentEpoch(now)
	v1 := g == wire.Generation99
	// The v0.0.47 capture's descriptors were uploaded one epoch before the
	// document's; the v0.0.99 capture's in the same epoch.
	descEpoch := epoch - 1
	if v1 {
		descEpoch = epoch
	}
	node := func(name string, port int) *pki.MixDescriptor {
		mixKeys := make(map[uint64][]byte, 3)
		for e := epoch; e < epoch+3; e++ {
			mixKeys[e] = randomBytes(mixKeySize)
		}
		return &pki.MixDescriptor{
			Name:        name,
			Epoch:       descEpoch,
			IdentityKey: randomBytes(identityKeySize),
			LinkKey:     randomBytes(linkKeySize),
			MixKeys:     mixKeys,
			Addresses:   map[string][]string{"tcp4": {fmt.Sprintf("tcp://127.0.0.1:%d", port)}},
		}
	}

	gateway := node("gateway1", 30004)
	gateway.IsGatewayNode = true
	gateway.AuthenticationType = "tofu"

	service := node("servicenode1", 30007)
	service.IsServiceNode = true
	service.Services = make(map[string]map[string]any, len(capabilities))
	for _, c := range capabilities {
		service.Services[c] = map[string]any{"endpoint": "+" + c}
	}
	if v1 {
		// v1 service nodes advertise data per service (a map, empty here).
		service.AdvertizedData = map[string]map[string]any{}
	}

	doc := &pki.Document{
		Epoch:              epoch,
		GenesisEpoch:       epoch - 5,
		Mu:                 0.005,
		LambdaP:            0.001,
		LambdaL:            0.0005,
		LambdaM:            0.0005,
		LambdaG:            0.002,
		Topology:           [][]*pki.MixDescriptor{{node("mix1", 30010)}, {node("mix2", 30013)}, {node("mix3", 30016)}},
		GatewayNodes:       []*pki.MixDescriptor{gateway},
		ServiceNodes:       []*pki.MixDescriptor{service},
		StorageReplicas:    []*pki.ReplicaDescriptor{},
		SharedRandomValue:  randomBytes(32),
		PriorSharedRandom:  [][]byte{randomBytes(32), randomBytes(32)},
		SphinxGeometryHash: randomBytes(32),
		PKISignatureScheme: "Ed25519",
	}
	if v1 {
		doc.Version = "v1"
		doc.LambdaR = 0.005
	} else {
		doc.Version = "v0"
		doc.SendRatePerMinute = 100
		doc.LambdaD = 0.0005
		doc.MuMaxDelay = 1000
		doc.LambdaPMaxDelay = 1000
		doc.LambdaLMaxDelay = 1000
		doc.LambdaDMaxDelay = 3000
		doc.LambdaMMaxDelay = 100
		doc.LambdaGMaxDelay = 100
	}
	return doc
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// maxCachedDocuments is how many documents (by epoch) a v0.0.99 daemon
// answers get_pki_document for: the current one and those published
// before it, newest first.
const maxCachedDocuments = 4

// docState is one published document with everything derived from it. It
// is immutable once built.
type docState struct {
	doc     *pki.Document
	payload []byte // doc.Marshal()
	frame   []byte // the new_pki_document_event frame, in the daemon's generation
	cert    []byte // the signed certificate (v0.0.99 get_pki_document_reply)
	routes  routes
}

// newDocState marshals doc and derives its routes from services.
func newDocState(doc *pki.Document, g wire.Generation, services map[string]Handler) (*docState, error) {
	payload, err := doc.Marshal()
	if err != nil {
		return nil, err
	}
	s := &docState{doc: doc, payload: payload, routes: newRoutes(doc, services)}
	r := wire.Response{NewPKIDocument: &wire.NewPKIDocumentEvent{Payload: payload}}
	s.frame = r.AppendFrame(nil, g)
	if g == wire.Generation99 {
		if s.cert, err = certificate(payload, doc.Epoch); err != nil {
			return nil, err
		}
	}
	return s, nil
}
