package serve

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"etlrunner/etl/export"
	"etlrunner/etl/warehouse"
)

// model is one gold model as a manifest publishes it.
type model struct {
	doc     ModelDoc
	outputs []export.File // every file the manifest lists for it
	// parquet are the files the API reads: those of its first Parquet
	// export (a second one would hold the same rows again), and paths
	// their absolute paths.
	parquet []export.File
	paths   []string
	rows    int64
	// partKeys are the name=value folders every file sits in (hive
	// partitions), emptyCols the columns of an export with no rows.
	partKeys  []string
	emptyCols []warehouse.Column
	err       error

	mu   sync.Mutex
	cols []warehouse.Column // nil until described
	hive bool               // read with DuckDB's hive partitioning
}

// newModel returns nil when files hold no Parquet output.
func newModel(doc ModelDoc, files []export.File, outputDir string) *model {
	m := &model{doc: doc, outputs: files}
	root, found := "", false
	for _, f := range files {
		if f.Format != export.Parquet {
			continue
		}
		if r := exportRoot(f.Path); !found {
			root, found = r, true
		} else if r != root {
			continue
		}
		if !filepath.IsLocal(filepath.FromSlash(f.Path)) {
			m.err = fmt.Errorf("the manifest lists %q, outside the output folder", f.Path)
			continue
		}
		m.rows += f.Rows
		if f.Empty {
			m.emptyCols = f.Columns
			continue
		}
		m.parquet = append(m.parquet, f)
		m.paths = append(m.paths, filepath.Join(outputDir, filepath.FromSlash(f.Path)))
	}
	if !found {
		return nil
	}
	m.partKeys = partitionKeys(root, m.parquet)
	return m
}

// exportRoot is the path an export's files share: the folder above their
// first name=value part (partitions, segments, splits), or the file.
func exportRoot(p string) string {
	parts := strings.Split(strings.TrimSuffix(p, "/"), "/")
	for i, s := range parts {
		if strings.Contains(s, "=") {
			return strings.Join(parts[:i], "/")
		}
	}
	return strings.Join(parts, "/")
}

// partitionKeys are the names of the name=value folders below root, when
// every file has the same ones.
func partitionKeys(root string, files []export.File) []string {
	var keys []string
	for i, f := range files {
		rel := strings.TrimPrefix(f.Path, root+"/")
		dirs := strings.Split(rel, "/")
		var k []string
		for _, d := range dirs[:len(dirs)-1] {
			if name, _, ok := strings.Cut(d, "="); ok {
				k = append(k, name)
			}
		}
		if i > 0 && !slices.Equal(k, keys) {
			return nil
		}
		keys = k
	}
	return keys
}

// columns describes the model as DuckDB reads its files, once per
// manifest. Partition columns come from DuckDB's hive partitioning, unless
// a name=value folder of the output folder's own path would clash with a
// column: DuckDB would then take the folder's value for the column's.
func (m *model) columns(ctx context.Context, db *sql.DB, prefixKeys []string) ([]warehouse.Column, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cols != nil {
		return m.cols, m.hive, nil
	}
	if len(m.paths) == 0 {
		m.cols = append([]warehouse.Column{}, m.emptyCols...)
		return m.cols, false, nil
	}
	cols, err := describe(ctx, db, m.source(false))
	if err != nil {
		return nil, false, fmt.Errorf("model %s: describe its Parquet files: %w", m.doc.Name, err)
	}
	hive := len(m.partKeys) > 0
	for _, k := range prefixKeys {
		if slices.Contains(m.partKeys, k) || slices.ContainsFunc(cols, func(c warehouse.Column) bool { return c.Name == k }) {
			hive = false
		}
	}
	if hive {
		all, err := describe(ctx, db, m.source(true))
		if err != nil {
			return nil, false, fmt.Errorf("model %s: describe its partitions: %w", m.doc.Name, err)
		}
		cols = slices.DeleteFunc(all, func(c warehouse.Column) bool { return slices.Contains(prefixKeys, c.Name) })
	}
	m.cols, m.hive = cols, hive
	return cols, hive, nil
}

// forget drops what was learned from files that changed meanwhile.
func (m *model) forget() {
	m.mu.Lock()
	m.cols = nil
	m.mu.Unlock()
}

// source is the read_parquet call over the model's files, in manifest
// order. The paths come from the manifest, never from a request.
func (m *model) source(hive bool) string {
	quoted := make([]string, len(m.paths))
	for i, p := range m.paths {
		quoted[i] = warehouse.QuoteString(p)
	}
	return fmt.Sprintf("read_parquet([%s], hive_partitioning = %t)", strings.Join(quoted, ", "), hive)
}

func describe(ctx context.Context, db *sql.DB, source string) ([]warehouse.Column, error) {
	rows, err := db.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "+source+")")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := []warehouse.Column{}
	for rows.Next() {
		var c warehouse.Column
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}
