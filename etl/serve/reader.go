package serve

import (
	"context"
	"fmt"
	"path/filepath"

	"etlrunner/etl/warehouse"
)

// The server's DuckDB stays small beside a build that may be running on the
// same machine.
const (
	readerThreads = 2
	readerMemory  = "2GB"
)

// openReader opens an in-memory DuckDB that reads files under outputDir and
// nowhere else. No text of a request ever becomes SQL (names are looked up,
// values bound as parameters); this is the second wall: once external
// access is off, DuckDB refuses to turn it back on or to widen the allowed
// directories, so no statement could read a file outside the output
// folder, reach the network or load an extension.
func openReader(ctx context.Context, outputDir string) (*warehouse.Warehouse, error) {
	abs, err := filepath.Abs(outputDir)
	if err != nil {
		return nil, fmt.Errorf("serve: output folder: %w", err)
	}
	wh, err := warehouse.Open(ctx, warehouse.Options{Threads: readerThreads, MemoryLimit: readerMemory})
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	for _, stmt := range []string{
		"SET GLOBAL allowed_directories = [" + warehouse.QuoteString(abs+string(filepath.Separator)) + "]",
		"SET GLOBAL enable_external_access = false",
	} {
		if _, err := wh.DB.ExecContext(ctx, stmt); err != nil {
			wh.Close()
			return nil, fmt.Errorf("serve: restrict the reader to %s: %w", abs, err)
		}
	}
	return wh, nil
}
