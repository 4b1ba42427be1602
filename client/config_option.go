package client

import (
	"context"
	"log/slog"

	"github.com/katzenthin/katzenthin/transport"
)

// WithConfigFile makes Dial reach the daemon that the Katzenpost
// thin-client configuration file at path names (thinclient.toml, the
// file every Katzenpost deployment ships; see transport.LoadConfig for
// the keys read). The file is read once, by Dial. A file that cannot be
// used makes Dial fail with its *transport.ConfigError, which names the
// file and the key at fault and matches transport.ErrConfig. Like
// WithDialer, of which it is a form, the last of the two given wins.
func WithConfigFile(path string) Option {
	return func(o *options) {
		d, err := transport.LoadConfig(path)
		if err != nil {
			o.errs = append(o.errs, err)
			return
		}
		o.dialer = d
	}
}

// warnNonLoopback logs, once per Dial, a warning when the daemon's
// address is a TCP or WebSocket address off the loopback: no peer check
// is possible there, and the daemon serves whoever reaches its port.
func warnNonLoopback(ctx context.Context, log *slog.Logger, d transport.Dialer) {
	if !transport.NonLoopback(d) {
		return
	}
	log.WarnContext(ctx, "the daemon's address is not a loopback address: "+
		"a TCP or WebSocket daemon serves whoever can reach its port, and no peer check is possible",
		"address", d)
}
