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
		"ws://127.0.0.1:64331",
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
	// ws://127.0.0.1:64331 dials ws://127.0.0.1:64331
	// transport: invalid address: "katzenpost": no scheme (an abstract socket is written "@katzenpost", a relative path "./katzenpost")
	// transport: invalid address: "tcp:127.0.0.1": address 127.0.0.1: missing port in address
	// true
}

func ExampleParseConfig() {
	for _, file := range []string{
		`
[Dial]
  [Dial.Ws]
    Address = "ws://127.0.0.1:64331"
`, `
[Dial]
  [Dial.Unix]
    Adress = "@katzenpost"
`, `
[Dial.Unix]
  Address = "@katzenpost"
[Dial.Tcp]
  Address = "127.0.0.1:64331"
`,
	} {
		d, err := transport.ParseConfig("thinclient.toml", []byte(file))
		var ce *transport.ConfigError
		if errors.As(err, &ce) {
			fmt.Printf("key %s: %v\n", ce.Key, err)
			continue
		}
		fmt.Println("dials", d)
	}
	// Output:
	// dials ws://127.0.0.1:64331
	// key Dial.Unix.Adress: transport: thinclient.toml: unknown key "Dial.Unix.Adress"
	// key Dial: transport: thinclient.toml: [Dial] names 2 transports ([Dial.Tcp] and [Dial.Unix]): want exactly one of [Dial.Unix], [Dial.Tcp] or [Dial.Ws]
}
