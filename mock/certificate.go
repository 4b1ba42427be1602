package mock

import (
	"crypto/sha256"

	"github.com/fxamacker/cbor/v2"
)

// certExpiryEpochs is how many epochs after its own a certified document
// expires in the v0.0.99 capture.
const certExpiryEpochs = 5

// certAuthorities is the number of directory authorities that sign: three
// in the captured network.
const certAuthorities = 3

// wireCertificate is the signed certificate a v0.0.99 daemon returns for
// get_pki_document: its five keys in the order the captured one has them.
type wireCertificate struct {
	KeyType    string          `cbor:"KeyType"`
	Version    uint32          `cbor:"Version"`
	Certified  []byte          `cbor:"Certified"`
	Expiration uint64          `cbor:"Expiration"`
	Signatures cbor.RawMessage `cbor:"Signatures"`
}

// wireSignature is one authority's signature, keyed in Signatures by the
// SHA-256 of its public key (which it repeats).
type wireSignature struct {
	Payload         []byte `cbor:"Payload"`
	PublicKeySum256 []byte `cbor:"PublicKeySum256"`
}

// sortedEncoder writes map keys in bytewise order, as the captured
// Signatures map has them.
var sortedEncoder = func() cbor.EncMode {
	em, err := cbor.EncOptions{Sort: cbor.SortBytewiseLexical}.EncMode()
	if err != nil {
		panic(err) // constant options
	}
	return em
}()

// certificate wraps a marshalled document in a certificate of the shape
// the real daemon sends, signed by made-up authorities: the signatures are
// random bytes (no client can check them: the daemon strips what it
// verified), keyed by the SHA-256 of a random "public key".
func certificate(doc []byte, epoch uint64) ([]byte, error) {
	sigs := make(map[cbor.ByteString]wireSignature, certAuthorities)
	for range certAuthorities {
		sum := sha256.Sum256(randomBytes(32))
		sigs[cbor.ByteString(sum[:])] = wireSignature{Payload: randomBytes(64), PublicKeySum256: sum[:]}
	}
	raw, err := sortedEncoder.Marshal(sigs)
	if err != nil {
		return nil, err
	}
	return cbor.Marshal(&wireCertificate{
		KeyType:    "Ed25519",
		Certified:  doc,
		Expiration: epoch + certExpiryEpochs,
		Signatures: raw,
	})
}
