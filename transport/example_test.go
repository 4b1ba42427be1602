package transport_test

import (
	"errors"
	"fmt"

	"github.com/katzenthin/katzenthin/transport"
)

func ExampleParse() {
	for _, s := range []string{
		"@katzenpost",
		"unix:@katzenpost",
		"/run/kp.sock",
		"unix:kp.sock",
		"tcp:127.0.0.1:64331",
		"tcp6:[::1]:64331",
		"katzenpost",
		"tcp:127.0.0.1",
	} {
		d, err := transport.Parse(s)
		if errors.Is(err, transport.ErrInvalidAddress) {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-20s dials %v\n", s, d)
	}
	fmt.Println(transport.Default() == transport.Unix(transport.DefaultAddress))
	// Output:
	// @katzenpost          dials @katzenpost
	// unix:@katzenpost     dials @katzenpost
	// /run/kp.sock         dials /run/kp.sock
	// unix:kp.sock         dials unix:kp.sock
	// tcp:127.0.0.1:64331  dials tcp:127.0.0.1:64331
	// tcp6:[::1]:64331     dials tcp6:[::1]:64331
	// transport: invalid address: "katzenpost": no scheme (an abstract socket is written "@katzenpost", a relative path "./katzenpost")
	// transport: invalid address: "tcp:127.0.0.1": address 127.0.0.1: missing port in address
	// true
}
