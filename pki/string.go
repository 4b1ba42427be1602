package pki

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// String returns a readable multi-line summary of d for logs and debugging:
// epoch, version, the traffic parameters of d's generation, then every mix
// layer, gateway and service node with its addresses, and each service with
// its endpoint. Map entries are sorted, so equal documents print equally.
// Keys and signatures are left out (only a short identity hash per node).
// A nil document prints as "pki.Document(nil)".
func (d *Document) String() string {
	if d == nil {
		return "pki.Document(nil)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "PKI document for epoch %d (version %q, genesis epoch %d, signature scheme %q)\n",
		d.Epoch, d.Version, d.GenesisEpoch, d.PKISignatureScheme)
	if d.isV1() {
		fmt.Fprintf(&b, "parameters: Mu=%g LambdaP=%g LambdaL=%g LambdaM=%g LambdaG=%g LambdaR=%g\n",
			d.Mu, d.LambdaP, d.LambdaL, d.LambdaM, d.LambdaG, d.LambdaR)
	} else {
		fmt.Fprintf(&b, "parameters: Mu=%g LambdaP=%g LambdaL=%g LambdaD=%g LambdaM=%g LambdaG=%g SendRatePerMinute=%d\n",
			d.Mu, d.LambdaP, d.LambdaL, d.LambdaD, d.LambdaM, d.LambdaG, d.SendRatePerMinute)
		fmt.Fprintf(&b, "max delays (ms): Mu=%d LambdaP=%d LambdaL=%d LambdaD=%d LambdaM=%d LambdaG=%d\n",
			d.MuMaxDelay, d.LambdaPMaxDelay, d.LambdaLMaxDelay, d.LambdaDMaxDelay, d.LambdaMMaxDelay, d.LambdaGMaxDelay)
	}
	for i, layer := range d.Topology {
		fmt.Fprintf(&b, "mix layer %d:\n", i)
		writeNodes(&b, layer, false)
	}
	b.WriteString("gateways:\n")
	writeNodes(&b, d.GatewayNodes, false)
	b.WriteString("service nodes:\n")
	writeNodes(&b, d.ServiceNodes, true)
	if len(d.StorageReplicas) > 0 {
		b.WriteString("storage replicas:\n")
		for _, r := range d.StorageReplicas {
			if r == nil {
				b.WriteString("  <nil>\n")
				continue
			}
			h := r.IdentityHash()
			fmt.Fprintf(&b, "  %s #%d (%x)%s\n", r.Name, r.ReplicaID, h[:8], addresses(r.Addresses))
		}
	}
	return b.String()
}

// writeNodes writes one indented line per node and, when withServices is
// set, one more per service the node offers.
func writeNodes(b *strings.Builder, nodes []*MixDescriptor, withServices bool) {
	if len(nodes) == 0 {
		b.WriteString("  (none)\n")
		return
	}
	for _, m := range nodes {
		if m == nil {
			b.WriteString("  <nil>\n")
			continue
		}
		fmt.Fprintf(b, "  %s%s", m, addresses(m.Addresses))
		if m.AuthenticationType != "" {
			fmt.Fprintf(b, ", authentication %s", m.AuthenticationType)
		}
		b.WriteByte('\n')
		if !withServices {
			continue
		}
		for _, capability := range slices.Sorted(maps.Keys(m.Services)) {
			endpoint, ok := m.Endpoint(capability)
			if !ok {
				endpoint = "(no endpoint)"
			}
			fmt.Fprintf(b, "    %s: endpoint %q", capability, endpoint)
			if data := m.AdvertizedData[capability]; len(data) > 0 {
				fmt.Fprintf(b, ", advertises %s", strings.Join(slices.Sorted(maps.Keys(data)), ", "))
			}
			b.WriteByte('\n')
		}
	}
}

// addresses formats an address map as " tcp4 tcp://a, tcp6 tcp://b", sorted
// by transport, or "" when there are none.
func addresses(addrs map[string][]string) string {
	var parts []string
	for _, transport := range slices.Sorted(maps.Keys(addrs)) {
		for _, a := range addrs[transport] {
			parts = append(parts, transport+" "+a)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, ", ")
}
