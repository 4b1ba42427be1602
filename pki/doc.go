// Package pki decodes and encodes the Katzenpost PKI document that the client
// daemon hands to thin clients in new_pki_document_event (docs/protocol.md 6 and 8).
//
// The daemon strips the directory authorities' signatures before sending the
// document, so there is nothing to verify here: Parse checks the form of the
// bytes, not their authenticity or the sanity of the topology. The document
// comes in two generations, both decoded by [Parse]:
//
//   - v0.0.47 daemons send Version "v0": 26 keys, per-parameter MaxDelays,
//     SendRatePerMinute, and node services under the literal key "omitempty"
//     (a struct-tag slip in the daemon).
//   - v0.0.99 daemons send Version "v1": 19 keys, LambdaR, no MaxDelays, and
//     node services under "Kaetzchen" next to "KaetzchenAdvertizedData".
//     A network with storage replicas adds ConfiguredReplicaIDs and
//     ConfiguredReplicaIdentityKeys (21 keys) and sends each replica as a
//     map inline in StorageReplicas, not as a byte string like a node.
//
// [Document.Marshal] writes the same format back (the mock daemon serves it),
// choosing the generation from Document.Version.
//
// A short example:
//
//	doc, err := pki.Parse(payload)
//	if err != nil {
//		return err
//	}
//	for node := range doc.Nodes() {
//		layer, _ := doc.Layer(node)
//		fmt.Println(layer, node.Name)
//	}
package pki
