package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"

	"github.com/katzenthin/katzenthin/daemonflag"
	"github.com/katzenthin/katzenthin/pigeonhole"
)

const genkeyDescription = `Makes a new Pigeonhole stream and prints, one per line and in base64,
its write cap (the sender's: keep it secret), its read cap (the
receiver's: whoever holds it reads the file) and its first index (both
need it). These three lines are the only place katzenthin-cp prints a
capability.`

// genkey is the genkey verb.
func genkey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("katzenthin-cp genkey", flag.ContinueOnError)
	fs.SetOutput(stderr)
	daemonflag.Usage(fs, "katzenthin-cp genkey [flags]", genkeyDescription)
	f := register(fs, false)
	if err := daemonflag.Parse(fs, args); err != nil {
		return err
	}
	s, err := connect(ctx, f, stderr)
	if err != nil {
		return err
	}
	defer s.close()
	seed := make([]byte, pigeonhole.SeedSize)
	rand.Read(seed)
	w, r, first, err := pigeonhole.New(s.c).NewKeypair(ctx, seed)
	if err != nil {
		return fmt.Errorf("making a stream: %w", err)
	}
	wt, _ := w.MarshalText()
	rt, _ := r.MarshalText()
	it, _ := first.MarshalText()
	_, err = fmt.Fprintf(stdout, "write-cap: %s\nread-cap: %s\nindex: %s\n", wt, rt, it)
	return err
}
