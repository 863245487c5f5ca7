package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"etlrunner/etl/project"
	"etlrunner/etl/warehouse"
)

// ManifestName is the file in the output folder that lists every output
// (the name the project's export paths may not take).
const ManifestName = project.ManifestFile

// ReadManifest reads outputDir's manifest; a folder without one (no
// outputs yet) has an empty manifest.
func ReadManifest(outputDir string) (Manifest, error) {
	var m Manifest
	data, err := os.ReadFile(filepath.Join(outputDir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return m, fmt.Errorf("read the output manifest: %w", err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%s: %w", filepath.Join(outputDir, ManifestName), err)
	}
	return m, nil
}

// Manifest lists every file a run published.
type Manifest struct {
	RunID       string    `json:"run_id"`
	GeneratedAt time.Time `json:"generated_at"`
	Files       []File    `json:"files"`
}

// WriteManifest writes outputDir/_manifest.json through a temporary file and
// a rename, so readers never see a partial manifest. Call it after Publish:
// every listed file must already be in place with its recorded size.
func WriteManifest(outputDir string, m Manifest) error {
	for _, f := range m.Files {
		st, err := os.Stat(filepath.Join(outputDir, filepath.FromSlash(f.Path)))
		if err != nil {
			return fmt.Errorf("manifest: listed file %s: %w", f.Path, err)
		}
		if f.Empty {
			if !st.IsDir() {
				return fmt.Errorf("manifest: listed empty output %s is not a directory", f.Path)
			}
			continue
		}
		if st.Size() != f.Bytes {
			return fmt.Errorf("manifest: listed file %s has %d bytes, recorded %d", f.Path, st.Size(), f.Bytes)
		}
	}
	// Empty lists print as [] rather than null for readers that iterate.
	if m.Files == nil {
		m.Files = []File{}
	}
	files := make([]File, len(m.Files))
	for i, f := range m.Files {
		if f.Columns == nil {
			f.Columns = []warehouse.Column{}
		}
		files[i] = f
	}
	m.Files = files
	m.GeneratedAt = m.GeneratedAt.UTC()
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	if err := WriteAtomic(filepath.Join(outputDir, ManifestName), append(data, '\n')); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	return nil
}

// WriteAtomic writes data to path so that a reader sees the old file or the
// new one, never part of it: a temporary file beside it, synced, renamed.
func WriteAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*.tmp")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Chmod(0o644)
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return werr
	}
	syncDir(filepath.Dir(path))
	return nil
}
