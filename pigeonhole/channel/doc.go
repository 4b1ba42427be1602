// Package channel is durable Pigeonhole channels: named write and read
// channels whose state lives in a store, so that a crash loses nothing
// acknowledged and never writes a box twice with different content.
//
// (The full package documentation, with the crash-safety table, comes
// with the implementation.)
package channel
