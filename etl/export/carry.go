package export

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"etlrunner/etl/warehouse"
)

// canCarry reports whether prev is a complete, intact listing of this
// layout's files in outputDir, written from the same columns: only then
// are the untouched files what a full write would produce.
func (l layout) canCarry(prev []File, outputDir string) bool {
	if len(prev) == 0 || outputDir == "" {
		return false
	}
	seen := map[string]bool{}
	for _, f := range prev {
		if f.Empty || f.Format != l.spec.Format || f.Segment != l.seg.tag() || seen[f.Path] {
			return false
		}
		seen[f.Path] = true
		if _, ok := l.parsePath(f.Path); !ok {
			return false
		}
		if !slices.Equal(f.Columns, l.kept) {
			return false
		}
		st, err := os.Stat(filepath.Join(outputDir, filepath.FromSlash(f.Path)))
		if err != nil || !st.Mode().IsRegular() || st.Size() != f.Bytes {
			return false
		}
	}
	return true
}

// checkChanges makes sure the changes relation places its rows as the
// relation does: the same cut columns with the same types. It returns the
// changes' columns.
func (l layout) checkChanges(ctx context.Context, db *sql.DB, cols []warehouse.Column) ([]warehouse.Column, error) {
	changed, err := relationColumns(ctx, db, l.spec.Changes)
	if err != nil {
		return nil, fmt.Errorf("changes: %w", err)
	}
	names := slices.Clone(l.spec.PartitionBy)
	if l.seg != nil {
		names = append(names, l.seg.col)
	}
	for _, name := range names {
		want, have := columnType(cols, name), columnType(changed, name)
		switch {
		case have == "":
			return nil, fmt.Errorf("changes %s lacks column %q", l.spec.Changes, name)
		case have != want:
			return nil, fmt.Errorf("changes %s: column %q has type %s, the relation has %s", l.spec.Changes, name, have, want)
		}
	}
	return changed, nil
}

func columnType(cols []warehouse.Column, name string) string {
	for _, c := range cols {
		if c.Name == name {
			return c.Type
		}
	}
	return ""
}

// carry puts the published file rel into the stage: a hard link when the
// two dirs share a filesystem, else a copy. The old name is removed when
// Publish swaps the directory; the link keeps the data.
func carry(ctx context.Context, outputDir, stageDir, rel string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	src := filepath.Join(outputDir, filepath.FromSlash(rel))
	dst := filepath.Join(stageDir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("carry %s: %w", rel, err)
	}
	if err := linkFile(src, dst); err == nil {
		return nil
	}
	if err := copyFile(src, dst); err != nil {
		return fmt.Errorf("carry %s: %w", rel, err)
	}
	return nil
}

func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			err = errors.Join(err, os.Remove(dst))
		}
	}()
	_, err = io.Copy(out, in)
	return err
}
