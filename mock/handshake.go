package mock

import "github.com/katzenthin/katzenthin/wire"

// Geometry of the v0.0.99 capture, repeated in every status event. The
// two payload lengths come from WithReplySize and WithMaxPayload.
const (
	geometryPacketLength                = 3082
	geometryNrHops                      = 5
	geometryHeaderLength                = 476
	geometryRoutingInfoLength           = 410
	geometryPerHopRoutingInfoLength     = 82
	geometrySURBLength                  = 572
	geometrySphinxPlaintextHeaderLength = 2
	geometryPayloadTagLength            = 32
	geometryNextNodeHopLength           = 65
	geometrySPRPKeyMaterialLength       = 64
)

// statusFrame encodes the connection status event of the daemon's
// generation. v0.0.47 sends the error of a lost link as an empty map;
// v0.0.99 always sends a null err, with its instance token and geometry.
func (d *Daemon) statusFrame(connected bool) []byte {
	s := wire.ConnectionStatusEvent{IsConnected: connected}
	if d.gen == wire.Generation99 {
		token := d.instance
		s.InstanceToken = &token
		s.SphinxGeometry = &wire.SphinxGeometry{
			PacketLength:                geometryPacketLength,
			NrHops:                      geometryNrHops,
			HeaderLength:                geometryHeaderLength,
			RoutingInfoLength:           geometryRoutingInfoLength,
			PerHopRoutingInfoLength:     geometryPerHopRoutingInfoLength,
			SURBLength:                  geometrySURBLength,
			SphinxPlaintextHeaderLength: geometrySphinxPlaintextHeaderLength,
			PayloadTagLength:            geometryPayloadTagLength,
			ForwardPayloadLength:        d.opts.replySize,
			UserForwardPayloadLength:    d.opts.maxPayload,
			NextNodeHopLength:           geometryNextNodeHopLength,
			SPRPKeyMaterialLength:       geometrySPRPKeyMaterialLength,
			NIKEName:                    "x25519",
			KEMName:                     "",
		}
		s.PigeonholeGeometry = &wire.PigeonholeGeometry{
			MaxPlaintextPayloadLength:    1549,
			CourierQueryReadLength:       2000,
			CourierQueryWriteLength:      2000,
			CourierQueryReplyReadLength:  1718,
			CourierQueryReplyWriteLength: 1718,
			NIKEName:                     "CTIDH1024-X25519",
			SignatureSchemeName:          "Ed25519",
		}
	} else if !connected {
		s.Err = errNotConnected
	}
	r := wire.Response{ConnectionStatus: &s}
	return r.AppendFrame(nil, d.gen)
}

// queueHandshakeLocked queues the two frames every connection starts
// with: the connection status, then the current document. The caller
// holds d.mu.
func (d *Daemon) queueHandshakeLocked(c *conn) {
	status := d.status[0]
	if d.connected.Load() {
		status = d.status[1]
	}
	c.wmu.Lock()
	c.out = append(c.out, status...)
	c.out = append(c.out, d.state.Load().frame...)
	c.wmu.Unlock()
	c.signal()
}
