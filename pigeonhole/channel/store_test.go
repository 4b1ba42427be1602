package channel_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/katzenthin/katzenthin/pigeonhole/channel"
	"github.com/katzenthin/katzenthin/pigeonhole/channel/channeltest"
)

func TestMemoryStoreConformance(t *testing.T) {
	channeltest.Run(t, func(*testing.T) channel.Store { return channel.NewMemoryStore() })
}

// openBoltStore opens the bbolt store at path through Open, the way an
// application does, and returns its Store.
func openBoltStore(path string) (channel.Store, error) {
	db, err := channel.Open(path, channel.WithLockTimeout(100*time.Millisecond))
	if err != nil {
		return nil, err
	}
	return db.Store(), nil
}

func TestBoltStoreConformance(t *testing.T) {
	channeltest.Run(t, func(t *testing.T) channel.Store {
		s, err := openBoltStore(filepath.Join(t.TempDir(), "channels.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
	channeltest.RunPersistent(t, func(_ *testing.T, loc string) (channel.Store, error) { return openBoltStore(loc) })
}

func TestOpenCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "channels.db")
	db, err := channel.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("store file mode %v: others may read it", perm)
	}
}

// TestOpenLocked: a second Open of a file in use fails with ErrLocked
// after the lock timeout, not at once and not never. (bbolt's lock is
// an flock on its own file descriptor, so a second Open in the same
// process meets it as another process would.)
func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "channels.db")
	db, err := channel.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = channel.Open(path, channel.WithLockTimeout(50*time.Millisecond))
	if !errors.Is(err, channel.ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	db.Close()
	db2, err := channel.Open(path, channel.WithLockTimeout(time.Second))
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	db2.Close()
}

// TestOpenBadFiles: a file that is not a channel store, damaged (cut
// short, meta pages changed) or foreign, fails Open with ErrCorrupt (or
// a clear error), never a panic.
func TestOpenBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	db, err := channel.Open(good)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := db.ImportReader(ctx, "r", channeltest.ReadState("r").ReadCap, channeltest.ReadState("r").Start); err != nil {
		t.Fatal(err)
	}
	db.Close()
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}

	foreign := filepath.Join(dir, "foreign.db")
	fdb, err := bolt.Open(foreign, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	fdb.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("someone else's"))
		return err
	})
	fdb.Close()

	cases := map[string][]byte{
		"garbage":     []byte("this is not a database, just some text that is long enough to look at"),
		"zeros":       make([]byte, 64<<10),
		"truncated":   goodBytes[:len(goodBytes)/3],
		"one page":    goodBytes[:4096],
		"meta flips":  flip(goodBytes, 0x20, 0x1010),
		"meta zeroed": func() []byte { b := append([]byte(nil), goodBytes...); clear(b[:8192]); return b }(),
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".db")
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			openAndUse(t, path)
		})
	}
	t.Run("foreign", func(t *testing.T) {
		_, err := channel.Open(foreign)
		if !errors.Is(err, channel.ErrCorrupt) {
			t.Fatalf("Open of a foreign bbolt file: %v, want ErrCorrupt", err)
		}
	})
}

// openAndUse opens path and, if that works, uses it: whatever happens is
// an error or success, not a panic (a panic fails the test).
func openAndUse(t *testing.T, path string) {
	t.Helper()
	db, err := channel.Open(path, channel.WithLockTimeout(50*time.Millisecond))
	if err != nil {
		if !errors.Is(err, channel.ErrCorrupt) {
			t.Logf("Open: %v (not ErrCorrupt)", err)
		}
		return
	}
	defer db.Close()
	ctx := context.Background()
	db.List(ctx)
	db.Store().Load(ctx, "r")
	db.Store().Commit(ctx, "r", channel.Change{Put: []channel.Record{channeltest.MessageRecord(1, "x")}})
}

func flip(b []byte, at ...int) []byte {
	out := append([]byte(nil), b...)
	for _, i := range at {
		if i >= 0 && i < len(out) {
			out[i] ^= 0xa5
		}
	}
	return out
}

// FuzzState: decoding a stored state never panics, and what decodes
// encodes back to the same state.
func FuzzState(f *testing.F) {
	for _, st := range []channel.State{channeltest.WriteState("w"), channeltest.ReadState("r")} {
		b, _ := st.MarshalBinary()
		f.Add(b)
	}
	f.Add([]byte{0xa0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var st channel.State
		if err := st.UnmarshalBinary(b); err != nil {
			if !errors.Is(err, channel.ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		again, err := st.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var st2 channel.State
		if err := st2.UnmarshalBinary(again); err != nil || st2 != st {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzRecord: decoding a stored record never panics.
func FuzzRecord(f *testing.F) {
	for _, r := range []channel.Record{channeltest.EnvelopeRecord(1), channeltest.CopyRecord(2), channeltest.MessageRecord(3, "hi"), channeltest.MessageRecord(4, "")} {
		b, _ := r.MarshalBinary()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var r channel.Record
		if err := r.UnmarshalBinary(b); err != nil {
			if !errors.Is(err, channel.ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		if _, err := r.MarshalBinary(); err != nil {
			t.Fatalf("a decoded record does not encode: %v", err)
		}
	})
}

// FuzzOpenDamaged: a store file whose meta pages (the first two pages,
// which bbolt checksums) are damaged, or which is cut short, opens with
// an error or works; it never panics. (bbolt does not checksum the
// other pages: damage inside them, which a crash cannot cause since
// bbolt's commits are atomic, can crash the process; the package
// documentation says so.)
func FuzzOpenDamaged(f *testing.F) {
	dir := f.TempDir()
	good := filepath.Join(dir, "good.db")
	db, err := channel.Open(good)
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	rs := channeltest.ReadState("r")
	r, err := db.ImportReader(ctx, "r", rs.ReadCap, rs.Start)
	if err != nil {
		f.Fatal(err)
	}
	r.Close()
	db.Store().Commit(ctx, "r", channel.Change{Put: []channel.Record{channeltest.MessageRecord(1, "one"), channeltest.MessageRecord(2, "two")}})
	db.Close()
	base, err := os.ReadFile(good)
	if err != nil {
		f.Fatal(err)
	}
	const metaPages = 2 * 4096
	f.Add(uint16(0x20), byte(1), uint16(0x1010), byte(0xff), uint32(0))
	f.Add(uint16(0x38), byte(0x80), uint16(0x40), byte(7), uint32(5000))
	f.Fuzz(func(t *testing.T, off1 uint16, x1 byte, off2 uint16, x2 byte, cut uint32) {
		b := append([]byte(nil), base...)
		b[int(off1)%metaPages] ^= x1
		b[int(off2)%metaPages] ^= x2
		if cut > 0 {
			b = b[:int(cut)%len(b)]
		}
		path := filepath.Join(t.TempDir(), "damaged.db")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		openAndUse(t, path)
	})
}
