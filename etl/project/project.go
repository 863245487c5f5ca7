// Package project reads an ETL project from a file system: the project file,
// models, their YAML, seeds, macros and singular tests. It is pure: it knows
// nothing of DuckDB, and everything that can be wrong with the files is
// reported here, positioned, before anything runs.
package project

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// FileName is the project file at the root of every project.
const FileName = "etl.yml"

// Fixed folders of a project, relative to its root.
const (
	ModelsDir     = "models"
	MacrosDir     = "sql/macros"
	MigrationsDir = "sql/migrations"
	TestsDir      = "tests"
)

// Settings is the project file.
type Settings struct {
	Name          string            `yaml:"name"`
	Warehouse     string            `yaml:"warehouse"`
	TargetDir     string            `yaml:"target_dir"`
	OutputDir     string            `yaml:"output_dir"`
	Threads       int               `yaml:"threads"`
	MemoryLimit   string            `yaml:"memory_limit"`
	TempDirectory string            `yaml:"temp_directory"`
	Vars          map[string]any    `yaml:"vars"`
	Layers        map[string]Config `yaml:"layers"`
	// DeliveriesYAML and OnRunEndYAML are read into Project.Delivery and
	// Project.OnRunEnd, with their positions.
	DeliveriesYAML yaml.Node `yaml:"deliveries" json:"-"`
	OnRunEndYAML   yaml.Node `yaml:"on_run_end" json:"-"`
}

// Project is everything the runner needs to know about a project.
type Project struct {
	Settings
	Seeds  []*Seed
	Models []*Model
	// Tests are the singular tests under tests/.
	Tests []*SingularTest
	// Macros maps each macro file's path to its text.
	Macros map[string]string
	// Delivery holds the channels and retry settings of deliveries.
	Delivery Deliveries
	// OnRunEnd are the digests of several models (etl.yml and model YAML
	// files).
	OnRunEnd []*Delivery
}

// Load reads the project rooted at fsys.
func Load(fsys fs.FS) (*Project, error) {
	data, err := fs.ReadFile(fsys, FileName)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", FileName, err)
	}
	p := &Project{Settings: Settings{
		TargetDir: "target",
		OutputDir: "output",
		Warehouse: "target/warehouse.duckdb",
	}}
	if err := decodeStrict(FileName, data, &p.Settings); err != nil {
		return nil, err
	}
	var list errorList
	if p.Name == "" {
		list.addf(FileName, 0, 0, "name is required")
	}
	if p.Threads < 0 {
		list.addf(FileName, 0, 0, "threads must be positive")
	}
	if p.Vars == nil {
		p.Vars = map[string]any{}
	}
	if _, ok := p.Vars["seeds_dir"]; !ok {
		p.Vars["seeds_dir"] = "seeds"
	}
	if p.Macros, err = readDir(fsys, MacrosDir, ".sql"); err != nil {
		list.add(err)
	}
	list.add(p.loadDeliveries(&p.DeliveriesYAML, &p.OnRunEndYAML))
	list.add(p.loadModels(fsys))
	list.add(p.loadTests(fsys))
	if list.err() == nil {
		list.add(p.checkDeliveries())
	}
	if err := list.err(); err != nil {
		return nil, err
	}
	return p, nil
}

// readDir returns path -> text for every file under dir with the suffix.
// A missing dir is simply empty.
func readDir(fsys fs.FS, dir, suffix string) (map[string]string, error) {
	files := map[string]string{}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && isNotExist(err) {
				return fs.SkipDir
			}
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, suffix) {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files[p] = string(b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	return files, nil
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

func sortedPaths(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// stem is a file's name without folder and extension.
func stem(p string) string {
	base := path.Base(p)
	return strings.TrimSuffix(base, path.Ext(base))
}

// Model returns the model called name, or nil.
func (p *Project) Model(name string) *Model {
	for _, m := range p.Models {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// Seed returns the seed called name, or nil.
func (p *Project) Seed(name string) *Seed {
	for _, s := range p.Seeds {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Resolve returns a path from the project file (warehouse, folders) as seen
// from the working directory: absolute paths as they are, the others
// relative to the project folder dir. An empty path stays empty.
func Resolve(dir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}
