package transport_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/katzenthin/katzenthin/transport"
)

// geometry is the shape of the geometry tables upstream files carry
// (values made up): accepted, not read.
const geometry = `
[SphinxGeometry]
  PacketLength = 3082
  NrHops = 5
  UserForwardPayloadLength = 2000
  NIKEName = "x25519"
  KEMName = ""

[PigeonholeGeometry]
  MaxPlaintextPayloadLength = 1553
  NIKEName = "CTIDH1024-X25519"
`

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name string
		toml string
		want string // the dialer's String
	}{
		{"unix abstract", "[Dial]\n  [Dial.Unix]\n    Address = \"@katzenpost\"\n", "@katzenpost"},
		{"unix path", "[Dial.Unix]\nAddress = \"/run/kp.sock\"\n", "/run/kp.sock"},
		{"unix relative", "[Dial.Unix]\nAddress = \"kp.sock\"\n", "unix:kp.sock"},
		{"tcp", "[Dial]\n[Dial.Tcp]\nAddress = \"localhost:64331\"\nNetwork = \"tcp\"\n", "tcp:localhost:64331"},
		{"tcp default network", "[Dial.Tcp]\nAddress = \"127.0.0.1:64331\"\n", "tcp:127.0.0.1:64331"},
		{"tcp6", "[Dial.Tcp]\nAddress = \"[::1]:64331\"\nNetwork = \"tcp6\"\n", "tcp6:[::1]:64331"},
		{"ws", "[Dial.Ws]\nAddress = \"ws://127.0.0.1:64331\"\n", "ws://127.0.0.1:64331"},
		{"wss with path", "[Dial.Ws]\nAddress = \"wss://kp.example:443/thin\"\n", "wss://kp.example:443/thin"},
		{"inline tables", "Dial = { Unix = { Address = \"@kp\" } }\n", "@kp"},
		{"with geometry", "[Dial.Unix]\nAddress = \"@katzenpost\"\n" + geometry, "@katzenpost"},
		{"v0.0.47 unix", "Network = \"unix\"\nAddress = \"@katzenpost\"\n" + geometry, "@katzenpost"},
		{"v0.0.47 tcp", "Network = \"tcp\"\nAddress = \"127.0.0.1:64331\"\n", "tcp:127.0.0.1:64331"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := transport.ParseConfig("thinclient.toml", []byte(tt.toml))
			if err != nil {
				t.Fatalf("ParseConfig: %v", err)
			}
			if got := d.(interface{ String() string }).String(); got != tt.want {
				t.Errorf("dialer = %s, want %s", got, tt.want)
			}
			again, err := transport.Parse(tt.want)
			if err != nil || again != d {
				t.Errorf("Parse(%q) = %v, %v; want the same dialer", tt.want, again, err)
			}
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		toml    string
		key     string // ConfigError.Key
		message string // the whole message
		invalid bool   // wraps ErrInvalidAddress
	}{
		{"empty file", "", "Dial",
			"transport: thinclient.toml: no [Dial] table: want exactly one of [Dial.Unix], [Dial.Tcp] or [Dial.Ws], with its Address", false},
		{"only geometry", geometry, "Dial",
			"transport: thinclient.toml: no [Dial] table: want exactly one of [Dial.Unix], [Dial.Tcp] or [Dial.Ws], with its Address", false},
		{"no transport", "[Dial]\n", "Dial",
			"transport: thinclient.toml: [Dial] names no transport: want exactly one of [Dial.Unix], [Dial.Tcp] or [Dial.Ws]", false},
		{"two transports", "[Dial.Unix]\nAddress = \"@kp\"\n[Dial.Tcp]\nAddress = \"127.0.0.1:1\"\n", "Dial",
			"transport: thinclient.toml: [Dial] names 2 transports ([Dial.Tcp] and [Dial.Unix]): want exactly one of [Dial.Unix], [Dial.Tcp] or [Dial.Ws]", false},
		{"misspelt key", "[Dial.Unix]\nAdress = \"@kp\"\n", "Dial.Unix.Adress",
			`transport: thinclient.toml: unknown key "Dial.Unix.Adress"`, false},
		{"unknown transport", "[Dial.Quic]\nAddress = \"x\"\n", "Dial.Quic",
			`transport: thinclient.toml: unknown key "Dial.Quic"`, false},
		{"wrong case", "[dial.unix]\nAddress = \"@kp\"\n", "dial",
			`transport: thinclient.toml: unknown key "dial" (keys are case-sensitive: did you mean "Dial"?)`, false},
		{"unknown top-level key", "[Dial.Unix]\nAddress = \"@kp\"\n[Logging]\nLevel = \"INFO\"\n", "Logging",
			`transport: thinclient.toml: unknown key "Logging"`, false},
		{"network on unix", "[Dial.Unix]\nAddress = \"@kp\"\nNetwork = \"unix\"\n", "Dial.Unix.Network",
			`transport: thinclient.toml: unknown key "Dial.Unix.Network"`, false},
		{"missing address", "[Dial.Tcp]\nNetwork = \"tcp\"\n", "Dial.Tcp.Address",
			`transport: thinclient.toml: missing key "Dial.Tcp.Address"`, false},
		{"empty address", "[Dial.Unix]\nAddress = \"\"\n", "Dial.Unix.Address",
			`transport: thinclient.toml: Dial.Unix.Address is empty`, false},
		{"address not a string", "[Dial.Unix]\nAddress = 64331\n", "Dial.Unix.Address",
			`transport: thinclient.toml: Dial.Unix.Address must be a string, not an integer`, false},
		{"transport not a table", "[Dial]\nUnix = \"@kp\"\n", "Dial.Unix",
			`transport: thinclient.toml: Dial.Unix must be a table ([Dial.Unix]), not a string`, false},
		{"dial not a table", "Dial = \"@kp\"\n", "Dial",
			`transport: thinclient.toml: Dial must be a table ([Dial]), not a string`, false},
		{"bad tcp network", "[Dial.Tcp]\nAddress = \"127.0.0.1:1\"\nNetwork = \"udp\"\n", "Dial.Tcp.Network",
			`transport: thinclient.toml: Dial.Tcp.Network = "udp": want "tcp", "tcp4" or "tcp6"`, false},
		{"tcp without port", "[Dial.Tcp]\nAddress = \"127.0.0.1\"\n", "Dial.Tcp.Address",
			`transport: thinclient.toml: Dial.Tcp.Address: transport: invalid address: "tcp:127.0.0.1": address 127.0.0.1: missing port in address`, true},
		{"http url", "[Dial.Ws]\nAddress = \"http://127.0.0.1:1\"\n", "Dial.Ws.Address",
			`transport: thinclient.toml: Dial.Ws.Address = "http://127.0.0.1:1": transport: invalid address: want a ws:// or wss:// URL`, true},
		{"ws without host", "[Dial.Ws]\nAddress = \"ws:///thin\"\n", "Dial.Ws.Address",
			`transport: thinclient.toml: Dial.Ws.Address: transport: invalid address: "ws:///thin": no host (want ws://host:port)`, true},
		{"malformed url", "[Dial.Ws]\nAddress = \"ws://[::1:64331\"\n", "Dial.Ws.Address",
			`transport: thinclient.toml: Dial.Ws.Address: transport: invalid address: "ws://[::1:64331": missing ']' in host`, true},
		{"both forms", "Network = \"unix\"\nAddress = \"@kp\"\n[Dial.Unix]\nAddress = \"@kp\"\n", "Network",
			`transport: thinclient.toml: the v0.0.47 keys Network and Address cannot be used with [Dial]: keep one form`, false},
		{"v0.0.47 without network", "Address = \"@kp\"\n", "Network",
			`transport: thinclient.toml: missing key "Network"`, false},
		{"v0.0.47 bad network", "Network = \"udp\"\nAddress = \"@kp\"\n", "Network",
			`transport: thinclient.toml: Network = "udp": want "unix", "tcp", "tcp4" or "tcp6"`, false},
		{"invalid toml", "[Dial.Unix\nAddress = \"@kp\"\n", "",
			`transport: thinclient.toml: toml: line 2: expected '.' or ']' to end table name, but got '\n' instead`, false},
		{"duplicate key", "[Dial.Unix]\nAddress = \"@a\"\nAddress = \"@b\"\n", "",
			`transport: thinclient.toml: toml: line 3 (last key "Dial.Unix.Address"): Key 'Dial.Unix.Address' has already been defined.`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := transport.ParseConfig("thinclient.toml", []byte(tt.toml))
			if err == nil {
				t.Fatalf("ParseConfig = %v, want an error", d)
			}
			if !errors.Is(err, transport.ErrConfig) {
				t.Errorf("err = %v, does not match ErrConfig", err)
			}
			var ce *transport.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %T, want *ConfigError", err)
			}
			if ce.File != "thinclient.toml" || ce.Key != tt.key {
				t.Errorf("File, Key = %q, %q; want %q, %q", ce.File, ce.Key, "thinclient.toml", tt.key)
			}
			if err.Error() != tt.message {
				t.Errorf("message\n got %s\nwant %s", err, tt.message)
			}
			if got := errors.Is(err, transport.ErrInvalidAddress); got != tt.invalid {
				t.Errorf("errors.Is(err, ErrInvalidAddress) = %v, want %v", got, tt.invalid)
			}
		})
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "thinclient.toml")
	if err := os.WriteFile(path, []byte("[Dial]\n  [Dial.Ws]\n    Address = \"ws://127.0.0.1:64331\"\n"+geometry), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := transport.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if d != transport.WebSocket("ws://127.0.0.1:64331") {
		t.Errorf("LoadConfig = %v, want the WebSocket dialer", d)
	}

	t.Run("missing", func(t *testing.T) {
		missing := filepath.Join(dir, "nope.toml")
		_, err := transport.LoadConfig(missing)
		if !errors.Is(err, transport.ErrConfig) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("err = %v, want ErrConfig and fs.ErrNotExist", err)
		}
		if !strings.HasPrefix(err.Error(), "transport: "+missing+": ") {
			t.Errorf("err = %v, does not name the file first", err)
		}
	})
	t.Run("unreadable", func(t *testing.T) {
		_, err := transport.LoadConfig(dir) // a directory opens but does not read
		var ce *transport.ConfigError
		if !errors.As(err, &ce) || ce.File != dir || ce.Key != "" {
			t.Errorf("err = %#v, want a *ConfigError for %s", err, dir)
		}
	})
	t.Run("too large", func(t *testing.T) {
		big := filepath.Join(dir, "big.toml")
		data := []byte("[Dial.Unix]\nAddress = \"@kp\"\n# " + strings.Repeat("x", transport.MaxConfigSize) + "\n")
		if err := os.WriteFile(big, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := transport.LoadConfig(big)
		if !errors.Is(err, transport.ErrConfig) || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("err = %v, want a size error", err)
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		"[Dial.Unix]\nAddress = \"@katzenpost\"\n",
		"[Dial]\n[Dial.Tcp]\nAddress = \"localhost:64331\"\nNetwork = \"tcp6\"\n",
		"[Dial.Ws]\nAddress = \"wss://h:1/p?q=1\"\n" + geometry,
		"Network = \"unix\"\nAddress = \"@kp\"\n",
		"Dial = { Ws = { Address = \"ws://[::1]:1\" } }",
		"[[Dial]]\n",
		"a = [1, {b = 2}]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := transport.ParseConfig("fuzz.toml", data)
		if err != nil {
			var ce *transport.ConfigError
			if !errors.As(err, &ce) || !errors.Is(err, transport.ErrConfig) || ce.File != "fuzz.toml" {
				t.Fatalf("err = %#v, want a *ConfigError for fuzz.toml", err)
			}
			return
		}
		s := d.(interface{ String() string }).String()
		if again, err := transport.Parse(s); err != nil || again != d {
			t.Fatalf("ParseConfig gave %s, which Parse reads as %v, %v", s, again, err)
		}
	})
}
