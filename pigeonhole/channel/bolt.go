package channel

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// The bbolt file: a bucket "meta" whose "format" key marks the file as
// a channel store of a version; a bucket "channels" with one bucket per
// channel, holding its state under "state" and its records in a bucket
// "records", keyed by big-endian sequence number (so that they iterate
// in order).

var (
	bucketMeta     = []byte("meta")
	bucketChannels = []byte("channels")
	bucketRecords  = []byte("records")
	keyFormat      = []byte("format")
	keyState       = []byte("state")
	formatMarker   = []byte("katzenthin channel store v1")
)

type boltStore struct{ db *bolt.DB }

// openBolt opens (or creates) the store file at path.
func openBolt(path string, timeout time.Duration) (s Store, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverCorrupt(&err)
	if err := checkBoltSize(path); err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s (waited %v)", ErrLocked, path, timeout)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	case err != nil:
		return nil, fmt.Errorf("channel: open %s: %w", path, err)
	}
	if err := initBolt(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &boltStore{db: db}, nil
}

// initBolt marks a new file as a channel store, and checks the mark of
// an old one.
func initBolt(db *bolt.DB) (err error) {
	defer recoverCorrupt(&err)
	return db.Update(func(tx *bolt.Tx) error {
		if meta := tx.Bucket(bucketMeta); meta != nil {
			if f := meta.Get(keyFormat); !bytes.Equal(f, formatMarker) {
				return fmt.Errorf("%w: format marker %q, want %q", ErrCorrupt, f, formatMarker)
			}
			if tx.Bucket(bucketChannels) == nil {
				return fmt.Errorf("%w: no channels bucket", ErrCorrupt)
			}
			return nil
		}
		empty := true
		tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
		if !empty {
			return fmt.Errorf("%w: a bbolt file of something else", ErrCorrupt)
		}
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		if err := meta.Put(keyFormat, formatMarker); err != nil {
			return err
		}
		_, err = tx.CreateBucket(bucketChannels)
		return err
	})
}

// checkBoltSize refuses a file shorter than its meta pages say, before
// bbolt maps it: bbolt would read past its end (a fault, not an error).
// A missing file is fine (Open creates it); a file that has no valid
// meta page is left to bbolt, which reports it.
func checkBoltSize(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("channel: open %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("channel: open %s: %w", path, err)
	}
	size := fi.Size()
	if size == 0 {
		return nil // a new file bbolt initialises
	}
	// A bbolt meta page: a 16-byte page header, then magic (4 bytes),
	// version (4), page size (4), flags (4), root bucket (16),
	// freelist page (8), high-water page (8), ... Meta 0 is at offset
	// 0, meta 1 one page further.
	const magic = 0xED0CDAED
	var buf [64]byte
	valid := false
	for _, off := range []int64{0, -1} {
		if off == -1 {
			ps := binary.LittleEndian.Uint32(buf[24:28])
			if ps == 0 || ps > 1<<20 {
				ps = 4096
			}
			off = int64(ps)
		}
		if n, _ := f.ReadAt(buf[:], off); n < len(buf) {
			continue
		}
		if binary.LittleEndian.Uint32(buf[16:20]) != magic {
			continue
		}
		valid = true
		pageSize := uint64(binary.LittleEndian.Uint32(buf[24:28]))
		hwm := binary.LittleEndian.Uint64(buf[56:64])
		if pageSize == 0 || hwm > uint64(size)/pageSize {
			return fmt.Errorf("%w: %s is %d bytes, shorter than its meta page says (truncated?)", ErrCorrupt, path, size)
		}
	}
	if !valid {
		return fmt.Errorf("%w: %s is not a bbolt file", ErrCorrupt, path)
	}
	return nil
}

// recoverCorrupt turns a panic of bbolt on a damaged page into
// ErrCorrupt: the store never panics on a bad file.
func recoverCorrupt(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %v", ErrCorrupt, r)
	}
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func (s *boltStore) view(f func(tx *bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverCorrupt(&err)
	err = s.db.View(f)
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

func (s *boltStore) update(f func(tx *bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverCorrupt(&err)
	err = s.db.Update(f)
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

func (s *boltStore) channel(tx *bolt.Tx, name string) (*bolt.Bucket, error) {
	chans := tx.Bucket(bucketChannels)
	if chans == nil {
		return nil, fmt.Errorf("%w: no channels bucket", ErrCorrupt)
	}
	b := chans.Bucket([]byte(name))
	if b == nil {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	return b, nil
}

func loadState(b *bolt.Bucket, name string) (State, error) {
	var st State
	if err := st.UnmarshalBinary(b.Get(keyState)); err != nil {
		return st, err
	}
	if st.Name != name {
		return st, fmt.Errorf("%w: channel %q holds the state of %q", ErrCorrupt, name, st.Name)
	}
	return st, nil
}

func (s *boltStore) Create(_ context.Context, st State) error {
	if err := checkState(st); err != nil {
		return err
	}
	blob, err := st.MarshalBinary()
	if err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		chans := tx.Bucket(bucketChannels)
		if chans == nil {
			return fmt.Errorf("%w: no channels bucket", ErrCorrupt)
		}
		if chans.Bucket([]byte(st.Name)) != nil {
			return fmt.Errorf("%w: %q", ErrExists, st.Name)
		}
		b, err := chans.CreateBucket([]byte(st.Name))
		if err != nil {
			return err
		}
		if _, err := b.CreateBucket(bucketRecords); err != nil {
			return err
		}
		return b.Put(keyState, blob)
	})
}

func (s *boltStore) Load(_ context.Context, name string) (st State, recs []Record, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		b, err := s.channel(tx, name)
		if err != nil {
			return err
		}
		if st, err = loadState(b, name); err != nil {
			return err
		}
		rb := b.Bucket(bucketRecords)
		if rb == nil {
			return fmt.Errorf("%w: channel %q has no records bucket", ErrCorrupt, name)
		}
		return rb.ForEach(func(k, v []byte) error {
			var r Record
			if err := r.UnmarshalBinary(v); err != nil {
				return err
			}
			if len(k) != 8 || binary.BigEndian.Uint64(k) != r.Seq {
				return fmt.Errorf("%w: channel %q: record key does not match its sequence number", ErrCorrupt, name)
			}
			recs = append(recs, r)
			return nil
		})
	})
	if err != nil {
		return State{}, nil, err
	}
	return st, recs, nil
}

func (s *boltStore) List(context.Context) (out []State, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		chans := tx.Bucket(bucketChannels)
		if chans == nil {
			return fmt.Errorf("%w: no channels bucket", ErrCorrupt)
		}
		return chans.ForEachBucket(func(k []byte) error {
			st, err := loadState(chans.Bucket(k), string(k))
			if err != nil {
				return err
			}
			out = append(out, st)
			return nil
		})
	})
	return out, err
}

func (s *boltStore) Delete(_ context.Context, name string) error {
	return s.update(func(tx *bolt.Tx) error {
		if _, err := s.channel(tx, name); err != nil {
			return err
		}
		return tx.Bucket(bucketChannels).DeleteBucket([]byte(name))
	})
}

func (s *boltStore) Commit(_ context.Context, name string, c Change) error {
	var stateBlob []byte
	if c.State != nil {
		var err error
		if stateBlob, err = c.State.MarshalBinary(); err != nil {
			return err
		}
	}
	blobs := make([][]byte, len(c.Put))
	for i, r := range c.Put {
		var err error
		if blobs[i], err = r.MarshalBinary(); err != nil {
			return err
		}
	}
	return s.update(func(tx *bolt.Tx) error {
		b, err := s.channel(tx, name)
		if err != nil {
			return err
		}
		cur, err := loadState(b, name)
		if err != nil {
			return err
		}
		if err := checkChange(cur, c); err != nil {
			return err
		}
		if stateBlob != nil {
			if err := b.Put(keyState, stateBlob); err != nil {
				return err
			}
		}
		rb := b.Bucket(bucketRecords)
		if rb == nil {
			return fmt.Errorf("%w: channel %q has no records bucket", ErrCorrupt, name)
		}
		for _, seq := range c.Delete {
			if err := rb.Delete(seqKey(seq)); err != nil {
				return err
			}
		}
		for i, r := range c.Put {
			if err := rb.Put(seqKey(r.Seq), blobs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *boltStore) Close() error { return s.db.Close() }
