package ingest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Match lists the regular files pattern matches now, sorted, and the
// symbolic links among its matches that lead to no file. A relative
// pattern resolves against dir and its matches are returned relative to dir,
// which is also how they are recorded in _source_file and the ledger, so the
// project directory can move without every file looking new. Besides the
// usual glob syntax, a "**" path segment matches any number of directories.
// A pattern that matches nothing is not an error.
func Match(dir, pattern string) ([]string, error) {
	if dir == "" {
		dir = "."
	}
	relative := !filepath.IsAbs(pattern)
	full := pattern
	if relative {
		full = filepath.Join(dir, pattern)
	}
	var found []string
	var err error
	if hasDoubleStar(full) {
		found, err = globDoubleStar(full)
	} else {
		found, err = filepath.Glob(full)
	}
	if err != nil {
		return nil, fmt.Errorf("match %q: %w", pattern, err)
	}
	out := make([]string, 0, len(found))
	for _, p := range found {
		// Only files load: a folder or a device named like one is not a
		// landing file. A link that leads nowhere (or in a circle) is kept:
		// it names a file that should be there, and the load says so.
		info, err := os.Stat(p)
		if err == nil && !info.Mode().IsRegular() {
			continue
		}
		if err != nil {
			if l, lerr := os.Lstat(p); lerr != nil || l.Mode()&fs.ModeSymlink == 0 {
				continue
			}
		}
		if relative {
			if p, err = filepath.Rel(dir, p); err != nil {
				return nil, fmt.Errorf("match %q: %w", pattern, err)
			}
		}
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// FirstMatch returns the index and files of the first pattern that matches
// a file; when none does, the first pattern's (no files).
func FirstMatch(dir string, patterns []string) (int, []string, error) {
	for i, p := range patterns {
		files, err := Match(dir, p)
		if err != nil || len(files) > 0 {
			return i, files, err
		}
	}
	return 0, nil, nil
}

func hasDoubleStar(pattern string) bool {
	for _, seg := range strings.Split(filepath.ToSlash(pattern), "/") {
		if seg == "**" {
			return true
		}
	}
	return false
}

// globDoubleStar walks from the longest literal prefix of pattern and keeps
// files whose path matches segment by segment.
func globDoubleStar(pattern string) ([]string, error) {
	segs := strings.Split(filepath.ToSlash(pattern), "/")
	for _, s := range segs {
		if _, err := filepath.Match(s, ""); err != nil {
			return nil, err
		}
	}
	n := 0
	for n < len(segs) && !strings.ContainsAny(segs[n], `*?[\`) {
		n++
	}
	root := filepath.FromSlash(strings.Join(segs[:n], "/"))
	switch {
	case n == 0:
		root = "."
	case root == "":
		root = string(filepath.Separator)
	}
	rest := segs[n:]
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root && os.IsNotExist(err) {
				return filepath.SkipAll
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if matchSegments(rest, strings.Split(filepath.ToSlash(rel), "/")) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

func matchSegments(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchSegments(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := filepath.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
