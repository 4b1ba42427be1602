// Package transport opens the local stream socket that leads to the
// Katzenpost client daemon.
//
// The daemon listens on one of four kinds of address, and a [Dialer]
// reaches each of them:
//
//   - an abstract Unix socket (Linux only), written "@name"; the daemon's
//     default is [DefaultAddress], "@katzenpost";
//   - a Unix socket path, such as "/run/katzenpost.sock";
//   - a TCP address, "host:port", over tcp, tcp4 or tcp6;
//   - a WebSocket URL, "ws://host:port" or "wss://host:port" (kpclientd
//     v0.0.99), on which the frames travel as binary messages.
//
// [Parse] reads any of them from a single string, as found in a flag or a
// configuration file, and each dialer's String method gives that string
// back. [Unix], [TCP], [WebSocket] and [Default] build dialers directly.
// [LoadConfig] reads the thin-client configuration file (thinclient.toml)
// that Katzenpost deployments ship, as the upstream clients do.
//
// Dial honours its context. When nothing listens at the address, the
// error satisfies errors.Is(err, [ErrDaemonNotRunning]).
//
// Abstract socket names have no file permissions: any local process can
// bind one before the daemon does. [PeerCreds] reads the identity of the
// process at the other end of a Unix socket, so that a client can refuse
// a daemon that runs as an unexpected user. TCP and WebSocket carry no
// credentials: a daemon there serves whoever can reach its port
// ([NonLoopback] tells the addresses other machines may reach).
//
// A short example:
//
//	d, err := transport.Parse(*daemonFlag) // e.g. "@katzenpost" or "tcp:127.0.0.1:64331"
//	if err != nil {
//		return err
//	}
//	conn, err := d.Dial(ctx)
//	if errors.Is(err, transport.ErrDaemonNotRunning) {
//		return fmt.Errorf("is kpclientd running at %s? %w", d, err)
//	}
//	if err != nil {
//		return err
//	}
//	defer conn.Close()
package transport
