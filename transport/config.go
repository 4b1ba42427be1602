package transport

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// MaxConfigSize bounds the thin-client configuration file LoadConfig
// reads. A real one is well under 4 KiB (an address and two geometry
// tables); anything larger is refused before it is parsed.
const MaxConfigSize = 1 << 20

// LoadConfig reads the Katzenpost thin-client configuration file at path
// (thinclient.toml, as every Katzenpost deployment ships it, and as the
// upstream Go, Python and Rust thin clients load it) and returns the
// dialer for the daemon it names. See [ParseConfig] for the format.
//
// Every failure is a *ConfigError that names the file, and the key when
// one key is at fault; it matches [ErrConfig] with errors.Is, and a file
// that does not exist also matches fs.ErrNotExist.
func LoadConfig(path string) (Dialer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &ConfigError{File: path, Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigSize+1))
	if err != nil {
		return nil, &ConfigError{File: path, Err: err}
	}
	return ParseConfig(path, data)
}

// ParseConfig reads a thin-client configuration file's contents; name is
// what errors call the file (LoadConfig passes the path). It does no I/O
// and no name resolution.
//
// The file's [Dial] table holds exactly one of three transport tables,
// each with an Address (kpclientd v0.0.99's form):
//
//	[Dial]
//	  [Dial.Unix]
//	    Address = "@katzenpost"        # or a socket path
//
//	[Dial]
//	  [Dial.Tcp]
//	    Address = "127.0.0.1:64331"
//	    Network = "tcp"                # optional: tcp (the default), tcp4 or tcp6
//
//	[Dial]
//	  [Dial.Ws]
//	    Address = "ws://127.0.0.1:64331"  # or wss://
//
// The v0.0.47 form, top-level Network ("unix", "tcp", "tcp4" or "tcp6")
// and Address keys, is read too. The tables SphinxGeometry and
// PigeonholeGeometry, which upstream files carry, are accepted and not
// read: the client learns the geometry from the daemon. Any other key is
// an error, as with the upstream Go thin client: a misspelt key must not
// silently select the default daemon. Keys are case-sensitive.
func ParseConfig(name string, data []byte) (Dialer, error) {
	if len(data) > MaxConfigSize {
		return nil, &ConfigError{File: name, Err: fmt.Errorf("larger than %d bytes: not a thin-client configuration", MaxConfigSize)}
	}
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return nil, &ConfigError{File: name, Err: err}
	}
	d, key, err := dialerFromConfig(doc)
	if err != nil {
		return nil, &ConfigError{File: name, Key: key, Err: err}
	}
	return d, nil
}

// The tables a [Dial] table may hold, in the order errors list them.
var dialTransports = []string{"Unix", "Tcp", "Ws"}

// dialerFromConfig checks the decoded file and makes its dialer, or
// returns the key at fault and what is wrong with it.
func dialerFromConfig(doc map[string]any) (Dialer, string, error) {
	for _, k := range sortedKeys(doc) {
		switch k {
		case "Dial", "SphinxGeometry", "PigeonholeGeometry":
			if _, err := table(doc, k, k); err != nil {
				return nil, k, err
			}
		case "Network", "Address":
		default:
			return nil, k, unknownKey(k, "Dial", "Network", "Address", "SphinxGeometry", "PigeonholeGeometry")
		}
	}
	_, legacyNet := doc["Network"]
	_, legacyAddr := doc["Address"]
	dial, hasDial := doc["Dial"].(map[string]any)
	switch {
	case hasDial && (legacyNet || legacyAddr):
		key := "Network"
		if !legacyNet {
			key = "Address"
		}
		return nil, key, fmt.Errorf("the v0.0.47 keys Network and Address cannot be used with [Dial]: keep one form")
	case legacyNet || legacyAddr:
		return legacyDialer(doc)
	case !hasDial:
		return nil, "Dial", fmt.Errorf("no [Dial] table: want exactly one of %s, with its Address", tableList("Dial", dialTransports, "or"))
	}

	var present []string
	for _, k := range sortedKeys(dial) {
		if !slices.Contains(dialTransports, k) {
			return nil, "Dial." + k, unknownKey("Dial."+k, "Dial.Unix", "Dial.Tcp", "Dial.Ws")
		}
		if _, err := table(dial, k, "Dial."+k); err != nil {
			return nil, "Dial." + k, err
		}
		present = append(present, k)
	}
	switch len(present) {
	case 0:
		return nil, "Dial", fmt.Errorf("[Dial] names no transport: want exactly one of %s", tableList("Dial", dialTransports, "or"))
	case 1:
	default:
		return nil, "Dial", fmt.Errorf("[Dial] names %d transports (%s): want exactly one of %s",
			len(present), tableList("Dial", present, "and"), tableList("Dial", dialTransports, "or"))
	}
	kind := present[0]
	t := dial[kind].(map[string]any)
	prefix := "Dial." + kind + "."
	allowed := []string{"Address"}
	if kind == "Tcp" {
		allowed = append(allowed, "Network")
	}
	for _, k := range sortedKeys(t) {
		if !slices.Contains(allowed, k) {
			full := make([]string, len(allowed))
			for i, a := range allowed {
				full[i] = prefix + a
			}
			return nil, prefix + k, unknownKey(prefix+k, full...)
		}
	}
	addr, key, err := stringKey(t, prefix, "Address", true)
	if err != nil {
		return nil, key, err
	}
	var s string
	switch kind {
	case "Unix":
		s = "unix:" + addr
	case "Tcp":
		network, key, err := stringKey(t, prefix, "Network", false)
		if err != nil {
			return nil, key, err
		}
		switch network {
		case "":
			network = "tcp"
		case "tcp", "tcp4", "tcp6":
		default:
			return nil, prefix + "Network", fmt.Errorf("%sNetwork = %q: want \"tcp\", \"tcp4\" or \"tcp6\"", prefix, network)
		}
		s = network + ":" + addr
	case "Ws":
		if !strings.HasPrefix(addr, "ws://") && !strings.HasPrefix(addr, "wss://") {
			return nil, prefix + "Address", fmt.Errorf("%sAddress = %q: %w: want a ws:// or wss:// URL", prefix, addr, ErrInvalidAddress)
		}
		s = addr
	}
	d, err := Parse(s)
	if err != nil {
		return nil, prefix + "Address", fmt.Errorf("%sAddress: %w", prefix, err)
	}
	return d, "", nil
}

// legacyDialer reads the v0.0.47 form: top-level Network and Address.
func legacyDialer(doc map[string]any) (Dialer, string, error) {
	network, key, err := stringKey(doc, "", "Network", true)
	if err != nil {
		return nil, key, err
	}
	addr, key, err := stringKey(doc, "", "Address", true)
	if err != nil {
		return nil, key, err
	}
	switch network {
	case "unix", "tcp", "tcp4", "tcp6":
	default:
		return nil, "Network", fmt.Errorf("Network = %q: want \"unix\", \"tcp\", \"tcp4\" or \"tcp6\"", network)
	}
	d, err := Parse(network + ":" + addr)
	if err != nil {
		return nil, "Address", fmt.Errorf("Address: %w", err)
	}
	return d, "", nil
}

// table checks that m[k], called key in errors, is a table.
func table(m map[string]any, k, key string) (map[string]any, error) {
	t, ok := m[k].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s must be a table ([%s]), not %s", key, key, tomlType(m[k]))
	}
	return t, nil
}

// stringKey returns the string at m[k], named prefix+k in errors: "" if
// it is absent and not required.
func stringKey(m map[string]any, prefix, k string, required bool) (string, string, error) {
	key := prefix + k
	v, ok := m[k]
	if !ok {
		if required {
			return "", key, fmt.Errorf("missing key %q", key)
		}
		return "", "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", key, fmt.Errorf("%s must be a string, not %s", key, tomlType(v))
	}
	if s == "" {
		return "", key, fmt.Errorf("%s is empty", key)
	}
	return s, "", nil
}

// unknownKey says that key is not one of known, and which one was meant
// when only its case is wrong.
func unknownKey(key string, known ...string) error {
	for _, k := range known {
		if strings.EqualFold(k, key) {
			return fmt.Errorf("unknown key %q (keys are case-sensitive: did you mean %q?)", key, k)
		}
	}
	return fmt.Errorf("unknown key %q", key)
}

// tableList writes names as TOML table headers under parent, the last
// two joined by conj: "[Dial.Unix], [Dial.Tcp] or [Dial.Ws]".
func tableList(parent string, names []string, conj string) string {
	var b strings.Builder
	for i, n := range names {
		switch {
		case i == 0:
		case i == len(names)-1:
			b.WriteString(" " + conj + " ")
		default:
			b.WriteString(", ")
		}
		b.WriteString("[" + parent + "." + n + "]")
	}
	return b.String()
}

// tomlType names the TOML type of a decoded value, for errors.
func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case time.Time:
		return "a date-time"
	case []map[string]any:
		return "an array of tables"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// sortedKeys returns m's keys in order, so that the first fault reported
// does not depend on map order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ConfigError reports a thin-client configuration file that cannot be
// used: unreadable, not TOML, an unknown key, a key of the wrong type, no
// transport or more than one, or a bad address. It matches [ErrConfig]
// with errors.Is; Err stays reachable (an *fs.PathError, a
// toml.ParseError, an error wrapping [ErrInvalidAddress], ...).
//
// A ConfigError is not modified after it is returned and is safe for
// concurrent use.
type ConfigError struct {
	File string // the path given to LoadConfig, or the name given to ParseConfig
	Key  string // the dotted key at fault, such as "Dial.Unix.Address"; "" when no single key is
	Err  error  // what is wrong; its message names Key
}

// Error reads, for example,
// `transport: thinclient.toml: unknown key "Dial.Unix.Adress"`.
func (e *ConfigError) Error() string {
	msg := "transport: " + e.File + ": "
	if e.Err == nil {
		return msg + "bad configuration"
	}
	return msg + e.Err.Error()
}

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

// Is reports whether target is ErrConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrConfig }
