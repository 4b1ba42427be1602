package service_test

import (
	"fmt"
	"log"
	"os"

	"github.com/fxamacker/cbor/v2"
	"github.com/katzenthin/katzenthin/pki"
	"github.com/katzenthin/katzenthin/service"
)

func Example() {
	// The PKI document as the v0.0.99 daemon sent it on connect; a client
	// has it from its connection.
	frame, err := os.ReadFile("../testdata/daemon-v0.0.99/02-new_pki_document_event.cbor")
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
	doc, err := pki.Parse(event.NewDocument.Payload)
	if err != nil {
		log.Fatal(err)
	}

	for _, capability := range []string{"echo", "courier", "spool"} {
		svc, err := service.Pick(doc, capability)
		if err != nil {
			fmt.Println(err)
			continue
		}
		dst := svc.Destination()
		fmt.Println(capability, "->", svc.Node.Name, dst, dst.Validate())
	}
	// Output:
	// echo -> servicenode1 b3281d7999afdd42/"+echo" <nil>
	// courier -> servicenode1 b3281d7999afdd42/"courier" <nil>
	// service: not found: no service node offers "spool"
}
