package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/katzenthin/katzenthin/pigeonhole"
	"github.com/katzenthin/katzenthin/pigeonhole/channel"
)

// A transfer's state is a durable channel store (package
// pigeonhole/channel, one bbolt file) holding one channel: where the
// stream is and the boxes in flight. A receive also keeps, beside it in
// a small JSON file, what it made of the boxes (the file's header, the
// temporary file and how much of it is durably written). Both hold key
// material and are readable by their owner only; neither is printed.

// ErrBusy: another katzenthin-cp runs the same transfer.
var ErrBusy = errors.New("another katzenthin-cp runs this transfer (its state is locked)")

// defaultStatePath is where the state of a transfer lives without
// -state: the user's cache directory, under a name derived (one-way)
// from the verb, the capability and the index, so that the same command
// line finds it again.
func defaultStatePath(verb string, capBytes, index []byte) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for the transfer's state (pass -state FILE): %w", err)
	}
	h := sha256.New()
	h.Write([]byte("katzenthin-cp " + verb + "\x00"))
	h.Write(capBytes)
	h.Write(index)
	return filepath.Join(dir, "katzenthin-cp", hex.EncodeToString(h.Sum(nil)[:16])+".db"), nil
}

// openStore opens (or creates) the channel store at path, its channels
// moving boxes through p.
func openStore(path string, p *pigeonhole.Client) (*channel.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	db, err := channel.Open(path, channel.WithClients(p), channel.WithWindow(window))
	switch {
	case errors.Is(err, channel.ErrLocked):
		return nil, fmt.Errorf("%w: %s", ErrBusy, path)
	case errors.Is(err, channel.ErrCorrupt):
		return nil, fmt.Errorf("the state file %s is damaged: remove it to start the transfer again (%w)", path, err)
	case err != nil:
		return nil, fmt.Errorf("state: %w", err)
	}
	return db, nil
}

// window is how many box writes or reads a transfer keeps in flight: a
// courier round trip takes seconds, so boxes go out side by side.
const window = channel.DefaultWindow

// onlyChannel returns the name of the store's channel, "" if it has
// none, and whether its messages are all acknowledged.
func onlyChannel(ctx context.Context, db *channel.DB) (name string, settled bool, err error) {
	infos, err := db.List(ctx)
	switch {
	case err != nil:
		return "", false, err
	case len(infos) == 0:
		return "", true, nil
	case len(infos) > 1:
		return "", false, fmt.Errorf("the state file holds %d channels, not a katzenthin-cp transfer's one", len(infos))
	}
	return infos[0].Name, infos[0].Pending == 0, nil
}

// loadJSON reads the JSON file at path into v; found says whether there
// was one.
func loadJSON(path string, v any) (found bool, err error) {
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("state: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("the state file %s is damaged (%v): remove it and %s to start the transfer again", path, err, filepath.Base(path[:len(path)-len(".json")]))
	}
	return true, nil
}

// saveJSON replaces the JSON file at path with v, durably: written
// aside, synced, renamed, so that after a crash it holds the last
// version saved.
func saveJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := path + ".new"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}
