package serve

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"etlrunner/etl/export"
)

// catalog is the API's view of the published outputs: the models of the
// last manifest, read again whenever the manifest file changes.
type catalog struct {
	outputDir string
	docs      []ModelDoc
	db        *sql.DB
	wait      time.Duration
	// prefixKeys are the name=value folders of the output folder's own
	// path, which DuckDB's hive partitioning would take for columns.
	prefixKeys []string
	hashes     hashCache

	mu   sync.Mutex
	snap *snapshot
}

// snapshot is one version of the manifest and the models it lists.
type snapshot struct {
	stamp       os.FileInfo // of _manifest.json; nil when there is none
	runID       string
	generatedAt time.Time
	names       []string // sorted
	models      map[string]*model
}

func newCatalog(outputDir string, docs []ModelDoc, db *sql.DB, wait time.Duration) *catalog {
	c := &catalog{outputDir: outputDir, docs: docs, db: db, wait: wait, hashes: hashCache{m: map[string]hashEntry{}}}
	if abs, err := filepath.Abs(outputDir); err == nil {
		for _, part := range strings.Split(filepath.ToSlash(abs), "/") {
			if k, _, ok := strings.Cut(part, "="); ok {
				c.prefixKeys = append(c.prefixKeys, k)
			}
		}
	}
	return c
}

// current returns the snapshot of the manifest as it is now on disk. The
// manifest is replaced by a rename, so the open file is one whole version,
// and its stamp is that file's.
func (c *catalog) current() (*snapshot, error) {
	f, err := os.Open(filepath.Join(c.outputDir, export.ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return &snapshot{models: map[string]*model{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the output manifest: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read the output manifest: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != nil && sameVersion(c.snap.stamp, st) {
		return c.snap, nil
	}
	var m export.Manifest
	if err := json.NewDecoder(f).Decode(&m); err != nil {
		return nil, fmt.Errorf("read the output manifest %s: %w", export.ManifestName, err)
	}
	c.snap = c.build(m, st)
	return c.snap, nil
}

// build lists the documented models that have Parquet output.
func (c *catalog) build(man export.Manifest, st os.FileInfo) *snapshot {
	s := &snapshot{stamp: st, runID: man.RunID, generatedAt: man.GeneratedAt, models: map[string]*model{}}
	byModel := map[string][]export.File{}
	for _, f := range man.Files {
		byModel[f.Model] = append(byModel[f.Model], f)
	}
	for _, d := range c.docs {
		if m := newModel(d, byModel[d.Name], c.outputDir); m != nil {
			s.models[d.Name] = m
			s.names = append(s.names, d.Name)
		}
	}
	sort.Strings(s.names)
	return s
}

// sameVersion reports whether a and b are the same file, unchanged.
func sameVersion(a, b os.FileInfo) bool {
	return a != nil && b != nil && os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}
