package export

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"etlrunner/etl/warehouse"
)

// verifyOutput checks the file o produced in stageDir against its source:
// the columns, and the row count want.
func verifyOutput(ctx context.Context, db *sql.DB, stageDir string, f Format, o output, want int64) (File, error) {
	abs := filepath.Join(stageDir, filepath.FromSlash(o.path))
	rows, err := verifyFile(ctx, db, f, abs, o.cols)
	if err != nil {
		return File{}, fmt.Errorf("verify %s: %w", o.path, err)
	}
	if rows != want {
		return File{}, fmt.Errorf("verify %s: file has %d rows, source has %d", o.path, rows, want)
	}
	sum, size, err := hashFile(abs)
	if err != nil {
		return File{}, fmt.Errorf("verify %s: %w", o.path, err)
	}
	return File{Path: o.path, Format: f, Rows: rows, Columns: o.cols, SHA256: sum, Bytes: size}, nil
}

// verifyFile checks one staged file's columns and returns its row count.
func verifyFile(ctx context.Context, db *sql.DB, f Format, path string, expect []warehouse.Column) (int64, error) {
	if f == Parquet {
		return verifyParquet(path, expect)
	}
	return verifyCSV(ctx, db, path, expect)
}

// verifyCSV reads the file back with DuckDB as plain text, so the check
// does not depend on type sniffing; hive partitioning is off because the
// partition columns of a path are not part of the file.
func verifyCSV(ctx context.Context, db *sql.DB, path string, expect []warehouse.Column) (int64, error) {
	src := fmt.Sprintf(`read_csv(%s, all_varchar = true, header = true, delim = ',', quote = '"', escape = '"', hive_partitioning = false)`,
		warehouse.QuoteString(path))
	cols, err := warehouse.Describe(ctx, db, src)
	if err != nil {
		return 0, err
	}
	if err := compareNames(colNames(cols), colNames(expect)); err != nil {
		return 0, err
	}
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+src).Scan(&n); err != nil {
		return 0, fmt.Errorf("count rows: %w", err)
	}
	return n, nil
}

func compareNames(got, want []string) error {
	if len(got) != len(want) {
		return fmt.Errorf("file has %d columns (%s), expected %d (%s)",
			len(got), strings.Join(got, ", "), len(want), strings.Join(want, ", "))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("column %d is %q, expected %q", i+1, got[i], want[i])
		}
	}
	return nil
}

func hashFile(path string) (string, int64, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer fh.Close()
	h := sha256.New()
	n, err := io.Copy(h, fh)
	if err != nil {
		return "", 0, fmt.Errorf("hash: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func withoutColumns(cols []warehouse.Column, drop []string) []warehouse.Column {
	if len(drop) == 0 {
		return cols
	}
	var out []warehouse.Column
	for _, c := range cols {
		if !slices.Contains(drop, c.Name) {
			out = append(out, c)
		}
	}
	return out
}
