package warehouse

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Leftover is a file or folder a dead run left behind and a later run
// removed, with its size.
type Leftover struct {
	Path  string
	Bytes int64
}

// spillPrefix starts the name of every file DuckDB spills to.
const spillPrefix = "duckdb_temp_"

// SpillDir is where DuckDB spills for the warehouse at path: tempDir when
// set, else DuckDB's default, the database file's name plus ".tmp".
func SpillDir(path, tempDir string) string {
	if tempDir != "" || path == "" {
		return tempDir
	}
	return path + ".tmp"
}

// SweepSpill removes the spill files a killed process left in the
// warehouse's spill folder (DuckDB removes its own on a clean exit), and
// the default folder itself once empty. Call it holding the warehouse lock
// and before opening the warehouse: a spill file is then nobody's.
func SweepSpill(path, tempDir string) ([]Leftover, error) {
	dir := SpillDir(path, tempDir)
	if dir == "" {
		return nil, nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("spill folder: %w", err)
	}
	var out []Leftover
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), spillPrefix) || e.IsDir() {
			continue
		}
		l, err := RemoveLeftover(filepath.Join(dir, e.Name()))
		if err != nil {
			return out, err
		}
		out = append(out, l)
	}
	if tempDir == "" {
		_ = os.Remove(dir) // only if empty
	}
	return out, nil
}

// RemoveLeftover removes a file or a whole folder and reports its size.
func RemoveLeftover(path string) (Leftover, error) {
	l := Leftover{Path: path}
	_ = filepath.WalkDir(path, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, ierr := d.Info(); ierr == nil {
				l.Bytes += info.Size()
			}
		}
		return nil
	})
	if err := os.RemoveAll(path); err != nil {
		return l, fmt.Errorf("remove leftover %s: %w", path, err)
	}
	return l, nil
}
