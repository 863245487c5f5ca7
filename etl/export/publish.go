package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Publish moves the staged outputs of files into outputDir. Each unit (a
// single file, or the whole directory of a partitioned/split export) is
// renamed into place, so readers see the old or the new version and never a
// mix; a directory replaces its predecessor entirely, dropping stale
// partitions. stageDir must be on the same filesystem as outputDir.
func Publish(stageDir, outputDir string, files []File) error {
	units, err := publishUnits(files)
	if err != nil {
		return err
	}
	for _, u := range units {
		src := filepath.Join(stageDir, filepath.FromSlash(u))
		dst := filepath.Join(outputDir, filepath.FromSlash(u))
		if err := publishUnit(src, dst); err != nil {
			return fmt.Errorf("publish %s: %w", u, err)
		}
	}
	return nil
}

// publishUnits lists the distinct units of files in first-seen order.
func publishUnits(files []File) ([]string, error) {
	var units []string
	seen := map[string]bool{}
	for _, f := range files {
		u := f.Unit
		if u == "" {
			u = f.Path
		}
		clean, err := cleanRelPath(u)
		if err != nil {
			return nil, fmt.Errorf("publish %s: %w", f.Path, err)
		}
		if f.Path != clean && !strings.HasPrefix(f.Path, clean+"/") {
			return nil, fmt.Errorf("publish %s: file lies outside its unit %s", f.Path, clean)
		}
		if !seen[clean] {
			seen[clean] = true
			units = append(units, clean)
		}
	}
	// Replacing a directory would silently delete another unit inside it.
	for _, a := range units {
		for _, b := range units {
			if strings.HasPrefix(b, a+"/") {
				return nil, fmt.Errorf("publish: output %s lies inside output %s", b, a)
			}
		}
	}
	return units, nil
}

func publishUnit(src, dst string) error {
	st, err := os.Lstat(src)
	if err != nil {
		return fmt.Errorf("staged output: %w", err)
	}
	// Flush data before the rename makes it visible, so a crash cannot
	// publish a name pointing at unwritten blocks.
	if err := syncTree(src); err != nil {
		return err
	}
	parent := filepath.Dir(dst)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	old, err := os.Lstat(dst)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		err = os.Rename(src, dst)
	case err != nil:
		return err
	case st.IsDir() || old.IsDir():
		err = replaceDir(src, dst)
	default:
		err = os.Rename(src, dst) // atomically replaces the old file
	}
	if err != nil {
		return err
	}
	syncDir(parent)
	return nil
}

// replaceDir swaps dst for src: the old tree is renamed aside, the new one
// renamed in, and the old one removed. On failure the old tree goes back.
func replaceDir(src, dst string) error {
	parent, base := filepath.Dir(dst), filepath.Base(dst)
	asidePrefix := "." + base + ".old-"
	// Leftovers of a run that crashed mid-swap are the only things with
	// this name; clear them so they do not pile up.
	if stale, err := filepath.Glob(filepath.Join(parent, globEscape(asidePrefix)+"*")); err == nil {
		for _, s := range stale {
			_ = os.RemoveAll(s)
		}
	}
	aside, err := os.MkdirTemp(parent, asidePrefix)
	if err != nil {
		return err
	}
	moved := filepath.Join(aside, base)
	if err := os.Rename(dst, moved); err != nil {
		_ = os.Remove(aside)
		return fmt.Errorf("move old output aside: %w", err)
	}
	if err := os.Rename(src, dst); err != nil {
		if rerr := os.Rename(moved, dst); rerr != nil {
			return fmt.Errorf("move new output in: %w (and restoring the old one failed: %v)", err, rerr)
		}
		_ = os.Remove(aside)
		return fmt.Errorf("move new output in: %w", err)
	}
	if err := os.RemoveAll(aside); err != nil {
		return fmt.Errorf("remove old output: %w", err)
	}
	return nil
}

// syncTree fsyncs every regular file under root (or root itself).
func syncTree(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fh, err := os.Open(p)
		if err != nil {
			return err
		}
		serr := fh.Sync()
		if cerr := fh.Close(); serr == nil {
			serr = cerr
		}
		if serr != nil {
			return fmt.Errorf("sync %s: %w", p, serr)
		}
		return nil
	})
}

// syncDir makes renames in dir durable where the platform supports it.
func syncDir(dir string) {
	if fh, err := os.Open(dir); err == nil {
		_ = fh.Sync()
		_ = fh.Close()
	}
}

func globEscape(s string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`)
	return r.Replace(s)
}
