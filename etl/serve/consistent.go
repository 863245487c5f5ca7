package serve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"
)

// errPublishing means the files on disk are not those the manifest lists:
// a build is replacing them and has not written its manifest yet.
var errPublishing = errors.New("a build is publishing new outputs; try again in a moment")

// consistent runs fn on the current snapshot, and again on a newer one
// while fn reports errPublishing, until the catalog's wait runs out.
func (c *catalog) consistent(ctx context.Context, fn func(*snapshot) error) error {
	deadline := time.Now().Add(c.wait)
	delay := 5 * time.Millisecond
	for {
		s, err := c.current()
		if err != nil {
			return err
		}
		err = fn(s)
		if !errors.Is(err, errPublishing) || !time.Now().Before(deadline) {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		delay = min(2*delay, 250*time.Millisecond)
	}
}

// use runs fn while m's files are the ones the snapshot's manifest lists,
// and returns errPublishing when they were not, before or after fn. A
// build replaces each output by a rename and writes the manifest after all
// of them, so a file that is not in its place, has another size, or is
// newer than the manifest and has another sha256 belongs to a publish in
// progress; a file that is the same before and after fn is the one DuckDB
// read.
func (c *catalog) use(s *snapshot, m *model, fn func() error) error {
	before, err := c.check(s, m)
	if err != nil {
		return err
	}
	ferr := fn()
	after, err := c.check(s, m)
	if err != nil {
		m.forget()
		return err
	}
	for i := range before {
		if !sameVersion(before[i], after[i]) {
			m.forget()
			return errPublishing
		}
	}
	return ferr
}

func (c *catalog) check(s *snapshot, m *model) ([]os.FileInfo, error) {
	out := make([]os.FileInfo, len(m.paths))
	for i, p := range m.paths {
		st, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, errPublishing
		case err != nil:
			return nil, fmt.Errorf("model %s: %w", m.doc.Name, err)
		case st.Size() != m.parquet[i].Bytes:
			return nil, errPublishing
		case st.ModTime().After(s.stamp.ModTime()):
			// Newer than the manifest: a file just published, or one
			// copied without its times. Its bytes decide.
			ok, err := c.hashes.matches(p, st, m.parquet[i].SHA256)
			if err != nil {
				return nil, fmt.Errorf("model %s: %w", m.doc.Name, err)
			}
			if !ok {
				return nil, errPublishing
			}
		}
		out[i] = st
	}
	return out, nil
}

// hashCache remembers the sha256 of files by path and version, so a file
// is hashed once however many requests check it.
type hashCache struct {
	mu sync.Mutex
	m  map[string]hashEntry
}

type hashEntry struct {
	st  os.FileInfo
	sum string
}

func (h *hashCache) matches(path string, st os.FileInfo, want string) (bool, error) {
	h.mu.Lock()
	e, ok := h.m[path]
	h.mu.Unlock()
	if ok && sameVersion(e.st, st) {
		return e.sum == want, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	opened, err := f.Stat()
	if err != nil {
		return false, err
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return false, fmt.Errorf("hash %s: %w", path, err)
	}
	e = hashEntry{st: opened, sum: hex.EncodeToString(sum.Sum(nil))}
	h.mu.Lock()
	h.m[path] = e
	h.mu.Unlock()
	return sameVersion(opened, st) && e.sum == want, nil
}
