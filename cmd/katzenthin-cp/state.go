package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// A transfer's state is a small JSON file, replaced whole (written
// aside, synced, renamed) after every step, so that after a crash it
// holds the last step that was durably done. It holds an index, which
// is key material: it is readable by its owner only, and never printed.

// ErrBusy: another katzenthin-cp runs the same transfer.
var ErrBusy = errors.New("another katzenthin-cp runs this transfer (its state file is locked)")

// stateFile is a transfer's state file, locked for this process.
type stateFile struct {
	path string
	lock *os.File
}

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
	return filepath.Join(dir, "katzenthin-cp", hex.EncodeToString(h.Sum(nil)[:16])+".json"), nil
}

// openState locks the state file at path (creating its directory) and
// loads it into v; loaded says whether there was one.
func openState(path string, v any) (st *stateFile, loaded bool, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("state: %w", err)
	}
	lock, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("state: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, fmt.Errorf("%w: %s", ErrBusy, path)
		}
		return nil, false, fmt.Errorf("state: locking %s: %w", path, err)
	}
	st = &stateFile{path: path, lock: lock}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return st, false, nil
	case err != nil:
		st.close()
		return nil, false, fmt.Errorf("state: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		st.close()
		return nil, false, fmt.Errorf("state file %s is damaged (%v): remove it to start the transfer again", path, err)
	}
	return st, true, nil
}

// save replaces the state with v, durably.
func (st *stateFile) save(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := st.path + ".new"
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
		err = os.Rename(tmp, st.path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(st.path))
	}
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}

// close releases the lock.
func (st *stateFile) close() {
	st.lock.Close() // closing the file releases the flock
}
