package pki_test

import (
	"fmt"
	"log"
	"os"

	"github.com/fxamacker/cbor/v2"
	"github.com/katzenthin/katzenthin/pki"
)

// payloadOf takes the PKI document out of a captured new_pki_document_event
// frame. A client gets the same bytes from the wire package.
func payloadOf(file string) []byte {
	frame, err := os.ReadFile(file)
	if err != nil {
		log.Fatal(err)
	}
	var event struct {
		NewDocument struct {
			Payload []byte `cbor:"payload"`
		} `cbor:"new_pki_document_event"`
	}
	if err := cbor.Unmarshal(frame, &event); err != nil {
		log.Fatal(err)
	}
	return event.NewDocument.Payload
}

func ExampleParse() {
	doc, err := pki.Parse(payloadOf("../testdata/daemon-v0.0.47/02-new_pki_document_event.cbor"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("epoch", doc.Epoch, "version", doc.Version)
	for node := range doc.Nodes() {
		layer, _ := doc.Layer(node)
		fmt.Println(layer, node.Name)
	}
	sn, _ := doc.Node("servicenode1")
	queue, _ := sn.Endpoint("echo")
	hash := sn.IdentityHash()
	fmt.Printf("echo at %x..., queue %q\n", hash[:8], queue)
	// Output:
	// epoch 2494607 version v0
	// 0 mix1
	// 1 mix2
	// 2 mix3
	// 255 gateway1
	// 254 servicenode1
	// echo at 73026f2d1c940e91..., queue "+echo"
}

func ExampleDocument_String() {
	doc, err := pki.Parse(payloadOf("../testdata/daemon-v0.0.99/02-new_pki_document_event.cbor"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(doc)
	// Output:
	// PKI document for epoch 2494637 (version "v1", genesis epoch 2494637, signature scheme "Ed25519")
	// parameters: Mu=0.005 LambdaP=0.001 LambdaL=0.0005 LambdaM=0.0005 LambdaG=0.0015 LambdaR=0.005
	// mix layer 0:
	//   mix1 (cbbc60281d494915) tcp4 tcp://127.0.0.1:30014
	// mix layer 1:
	//   mix2 (1adf78e5b6eb8fc1) tcp4 tcp://127.0.0.1:30017
	// mix layer 2:
	//   mix3 (2fbd0be7e8b37c0e) tcp4 tcp://127.0.0.1:30020
	// gateways:
	//   gateway1 (554e0d7d187ca65b) tcp4 tcp://127.0.0.1:30007, authentication tofu
	// service nodes:
	//   servicenode1 (b3281d7999afdd42) tcp4 tcp://127.0.0.1:30010
	//     courier: endpoint "courier", advertises linkPublicKey
	//     echo: endpoint "+echo"
	//     http: endpoint "+http"
	//     testdest: endpoint "+testdest"
}

func ExampleDocument_Marshal() {
	payload := payloadOf("../testdata/daemon-v0.0.47/02-new_pki_document_event.cbor")
	doc, err := pki.Parse(payload)
	if err != nil {
		log.Fatal(err)
	}
	out, err := doc.Marshal()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(out), string(out) == string(payload))
	// Output:
	// 8474 true
}
