package export

import (
	"crypto/sha256"
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
// the columns, and the row count want (the COPY's own count when it was
// just written).
func verifyOutput(stageDir string, f Format, o output, want int64) (File, error) {
	abs := filepath.Join(stageDir, filepath.FromSlash(o.path))
	var rows, size int64
	var sum string
	var err error
	if f == Parquet {
		if rows, err = verifyParquet(abs, o.cols); err == nil {
			sum, size, err = hashFile(abs)
		}
	} else {
		var st csvStats
		if st, err = scanCSV(abs); err == nil {
			rows, sum, size, err = st.records, st.sha256, st.bytes, st.check(o.cols)
		}
	}
	if err != nil {
		return File{}, fmt.Errorf("verify %s: %w", o.path, err)
	}
	if rows != want {
		return File{}, fmt.Errorf("verify %s: file has %d rows, source has %d", o.path, rows, want)
	}
	return File{Path: o.path, Format: f, Rows: rows, Columns: o.cols, SHA256: sum, Bytes: size}, nil
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
