package wire

import (
	"encoding/hex"
	"fmt"
)

// Format makes %x and %X print the ID's 16 bytes in hex (not the hex of
// its hex string, as a String method alone would), %v and %s the hex
// string, %q the quoted hex string; width and flags apply as usual.
func (id SURBID) Format(f fmt.State, verb rune) { formatID(f, verb, (*[IDLength]byte)(&id)) }

// Format prints the ID as SURBID.Format does.
func (id MessageID) Format(f fmt.State, verb rune) { formatID(f, verb, (*[IDLength]byte)(&id)) }

// Format prints the ID as SURBID.Format does.
func (id QueryID) Format(f fmt.State, verb rune) { formatID(f, verb, (*[IDLength]byte)(&id)) }

// Format prints the token as SURBID.Format does. Tokens are identifiers,
// not secrets: the daemon's instance token and app ID appear in its logs.
func (id Token) Format(f fmt.State, verb rune) { formatID(f, verb, (*[IDLength]byte)(&id)) }

// formatID prints id for verb: the bytes for %x and %X, the hex string for
// %v, %s and %q, and Go's default array formatting for anything else
// (%d, %#v), so no verb prints nonsense.
func formatID(f fmt.State, verb rune, id *[IDLength]byte) {
	format := fmt.FormatString(f, verb)
	switch verb {
	case 'x', 'X':
		fmt.Fprintf(f, format, id[:])
	case 'v', 's', 'q':
		if f.Flag('#') && verb == 'v' {
			fmt.Fprintf(f, format, *id)
			return
		}
		fmt.Fprintf(f, format, hex.EncodeToString(id[:]))
	default:
		fmt.Fprintf(f, format, *id)
	}
}
