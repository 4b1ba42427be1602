package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ErrExists is a received file whose name is taken in the destination
// directory: nothing is overwritten.
var ErrExists = errors.New("already exists, and is not overwritten")

// partFile is a received file while it arrives: a temporary file in the
// destination directory, renamed to its name once complete, so that a
// file under the final name is always whole.
type partFile struct {
	f     *os.File
	path  string // the temporary file
	final string // where it goes when complete
}

// partName returns a fresh temporary file name. It does not derive from
// the received name, so that it cannot be too long or collide with it.
func partName() string {
	var b [8]byte
	rand.Read(b[:])
	return ".katzenthin-cp-" + hex.EncodeToString(b[:]) + ".part"
}

// checkFree fails with ErrExists when dir already has an entry called
// name, whatever it is (a symlink included, which is not followed).
func checkFree(dir, name string) error {
	final := filepath.Join(dir, name)
	if _, err := os.Lstat(final); err == nil {
		return fmt.Errorf("%s %w", final, ErrExists)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// createPart creates the temporary file for name in dir, exclusively and
// without following a symlink, readable by its owner only.
func createPart(dir, name string) (*partFile, error) {
	if err := checkFree(dir, name); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, partName())
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, err
	}
	return &partFile{f: f, path: path, final: filepath.Join(dir, name)}, nil
}

// openPart reopens the temporary file an interrupted receive left at
// path, keeping its first size bytes (those that were synced and
// recorded) and dropping anything written after them.
func openPart(path, final string, size int64) (*partFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, fmt.Errorf("resuming the receive: %w", err)
	}
	fail := func(err error) (*partFile, error) {
		f.Close()
		return nil, fmt.Errorf("resuming the receive into %s: %w", path, err)
	}
	st, err := f.Stat()
	switch {
	case err != nil:
		return fail(err)
	case !st.Mode().IsRegular():
		return fail(errors.New("not a regular file"))
	case st.Size() < size:
		return fail(fmt.Errorf("it holds %d bytes, %d were received", st.Size(), size))
	}
	if err := f.Truncate(size); err != nil {
		return fail(err)
	}
	if _, err := f.Seek(size, 0); err != nil {
		return fail(err)
	}
	return &partFile{f: f, path: path, final: final}, nil
}

// Write appends p.
func (p *partFile) Write(b []byte) (int, error) { return p.f.Write(b) }

// Sync makes what was written durable, so that a recorded size is true
// after a crash.
func (p *partFile) Sync() error { return p.f.Sync() }

// Close closes the file and leaves it where it is (an interrupted
// receive goes on with it).
func (p *partFile) Close() error { return p.f.Close() }

// finish syncs and closes the file and gives it its final name, unless
// that name was taken meanwhile: a hard link fails rather than replace
// anything (a rename would replace). The temporary name then stays,
// and the error says where the data is.
func (p *partFile) finish() error {
	if err := p.f.Sync(); err != nil {
		p.f.Close()
		return err
	}
	if err := p.f.Close(); err != nil {
		return err
	}
	err := os.Link(p.path, p.final)
	switch {
	case errors.Is(err, fs.ErrExist) && sameFile(p.path, p.final):
		// An earlier run linked it and stopped before removing the
		// temporary name.
		if err := os.Remove(p.path); err != nil {
			return err
		}
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s %w; the received file is in %s", p.final, ErrExists, p.path)
	case err != nil:
		// A file system without hard links: rename, after a last
		// check (a file created in between would be replaced).
		if err := checkFree(filepath.Dir(p.final), filepath.Base(p.final)); err != nil {
			return fmt.Errorf("%w; the received file is in %s", err, p.path)
		}
		if err := os.Rename(p.path, p.final); err != nil {
			return err
		}
	default:
		if err := os.Remove(p.path); err != nil {
			return err
		}
	}
	return syncDir(filepath.Dir(p.final))
}

// sameFile tells whether the two paths name the same file, without
// following a symlink.
func sameFile(a, b string) bool {
	fa, err := os.Lstat(a)
	if err != nil {
		return false
	}
	fb, err := os.Lstat(b)
	return err == nil && os.SameFile(fa, fb)
}

// finished tells whether a receive whose state says all its bytes are
// in the temporary file at path has given it its final name already:
// path is gone and the final name holds a regular file of that size.
func finished(path, final string, size uint64) bool {
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	fi, err := os.Lstat(final)
	return err == nil && fi.Mode().IsRegular() && uint64(fi.Size()) == size
}

// syncDir makes a directory's new entries durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) { // some file systems cannot sync a directory
		return err
	}
	return nil
}
