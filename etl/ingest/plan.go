package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// file is one landing file and what this run does with it.
type file struct {
	path   string // as matched; what _source_file and the ledger record
	abs    string // what DuckDB reads
	size   int64
	mtime  time.Time
	sha    string
	action string
	rows   int64
	// touched: content unchanged but mtime moved, so the ledger needs the new one.
	touched bool
	// header is the trimmed CSV header of a file to load.
	header []string
	// array: a JSON file to load holds one top-level array.
	array bool
	// enc is the seed's text encoding (see decoders).
	enc string
}

func (f *file) loads() bool { return f.action == ActionLoaded || f.action == ActionReplaced }

// plan decides each file's action. Files whose size and mtime match the
// ledger are not opened at all; the others are hashed (in parallel, since a
// seed may have well over a thousand files) and, when they will be loaded,
// inspected for what the DuckDB read needs to know up front.
func plan(ctx context.Context, seed Seed, opts Options, paths []string, prev map[string]ledgerEntry) ([]*file, error) {
	files := make([]*file, len(paths))
	for i, p := range paths {
		abs := p
		if !filepath.IsAbs(p) {
			abs = filepath.Join(opts.Dir, p)
		}
		abs, err := filepath.Abs(abs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		// DuckDB would expand these as a glob instead of reading the file.
		if strings.ContainsAny(abs, "*?[") {
			return nil, fmt.Errorf("%s: file names with *, ? or [ cannot be loaded", p)
		}
		files[i] = &file{path: p, abs: abs, enc: seed.Encoding}
	}
	errs := make([]error, len(files))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, f := range files {
		e, known := prev[f.path]
		g.Go(func() error {
			errs[i] = decide(ctx, f, seed.Format, e, known, opts.FullRefresh)
			return nil
		})
	}
	_ = g.Wait()
	// The first broken file in path order, not whichever worker failed first,
	// so the same input always reports the same error.
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	matched := make(map[string]bool, len(paths))
	for _, p := range paths {
		matched[p] = true
	}
	var gone []string
	for p := range prev {
		if !matched[p] {
			gone = append(gone, p)
		}
	}
	sort.Strings(gone)
	for _, p := range gone {
		files = append(files, &file{path: p, action: ActionRemoved, rows: prev[p].rows})
	}
	return files, nil
}

func decide(ctx context.Context, f *file, format Format, e ledgerEntry, known, full bool) error {
	info, err := os.Stat(f.abs)
	if err != nil {
		return fmt.Errorf("%s: cannot read the file: %w", f.path, unwrapPath(err))
	}
	f.size = info.Size()
	f.mtime = info.ModTime().UTC().Truncate(time.Microsecond)
	if known && !full && e.size == f.size && e.mtime.Equal(f.mtime) {
		f.sha, f.rows, f.action = e.sha, e.rows, ActionUnchanged
		return nil
	}
	if f.sha, err = hashFile(ctx, f.abs); err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	if known && !full && e.sha == f.sha {
		f.rows, f.action, f.touched = e.rows, ActionUnchanged, true
		return nil
	}
	f.action = ActionLoaded
	if known {
		f.action = ActionReplaced
	}
	return inspect(ctx, f, format)
}

func hashFile(ctx context.Context, path string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", fmt.Errorf("hash: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// inspect reads the little the load needs before DuckDB sees the file: the
// CSV header (to map columns by name) or whether a JSON file is an array.
func inspect(ctx context.Context, f *file, format Format) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if format == FormatSQLite {
		return checkSQLite(f)
	}
	r, err := openText(f.abs, f.enc)
	if err == nil {
		defer r.Close()
		switch format {
		case FormatCSV:
			f.header, err = readHeader(f.path, r)
		case FormatJSON:
			f.array, err = startsArray(r)
		}
	}
	var inErr *InputError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &inErr):
		return err
	case isGzipProblem(err):
		return &InputError{File: f.path, Line: 1, Msg: "not valid gzip data"}
	}
	return fmt.Errorf("%s: %w", f.path, err)
}

// unwrapPath drops the absolute path a *fs.PathError repeats, keeping what
// went wrong ("too many levels of symbolic links").
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
