package migrate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
)

// maxNameLen keeps file names readable and well under file system limits.
const maxNameLen = 64

// Create writes dir/NNNNN_name.sql, numbered one past the highest version
// already in dir, with empty goose Up and Down sections. now dates the header
// so the caller controls the clock. It never overwrites a file.
func Create(ctx context.Context, dir, name string, now time.Time) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	clean := sanitizeName(name)
	if clean == "" {
		return "", fmt.Errorf("create migration: name %q has no letters or digits", name)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create migration: %w", err)
	}
	next, err := nextVersion(dir)
	if err != nil {
		return "", fmt.Errorf("create migration: %w", err)
	}
	file := filepath.Join(dir, fmt.Sprintf("%05d_%s.sql", next, clean))
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", fmt.Errorf("create migration: %w", err)
	}
	body := fmt.Sprintf(template, clean, now.UTC().Format(time.DateOnly))
	if _, err := f.WriteString(body); err != nil {
		f.Close()
		return "", fmt.Errorf("create migration %s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("create migration %s: %w", file, err)
	}
	return file, nil
}

const template = `-- %s: say why the warehouse needs this change.
-- Created %s.

-- +goose Up


-- +goose Down

`

// nextVersion is one past the highest version goose would read from dir.
// Files goose ignores (no numeric prefix) do not count.
func nextVersion(dir string) (int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, err
	}
	var highest int64
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		v, err := goose.NumericComponent(e.Name())
		if err != nil {
			continue
		}
		highest = max(highest, v)
	}
	return highest + 1, nil
}

// sanitizeName turns free text into a snake_case file name part: ASCII
// letters and digits only, camelCase split into words, everything else a
// single underscore, at most maxNameLen bytes. It returns "" when nothing
// usable is left.
func sanitizeName(name string) string {
	rs := []rune(name)
	var b strings.Builder
	sep := false
	for i, r := range rs {
		lower, upper, digit := isLower(r), isUpper(r), r >= '0' && r <= '9'
		if !lower && !upper && !digit {
			sep = true
			continue
		}
		// A capital starts a word after a lower-case letter or digit, and
		// ends an acronym when a lower-case letter follows: HTTPServer.
		if upper && i > 0 {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && isLower(rs[i+1])
			if isLower(prev) || (prev >= '0' && prev <= '9') || (isUpper(prev) && nextLower) {
				sep = true
			}
		}
		if sep && b.Len() > 0 {
			b.WriteByte('_')
		}
		sep = false
		if upper {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	out := b.String()
	if len(out) > maxNameLen {
		out = strings.TrimRight(out[:maxNameLen], "_")
	}
	return out
}

func isLower(r rune) bool { return r >= 'a' && r <= 'z' }
func isUpper(r rune) bool { return r >= 'A' && r <= 'Z' }
