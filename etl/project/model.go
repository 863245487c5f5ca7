package project

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Model is one SQL file under models/<layer>/.
type Model struct {
	Name        string
	Layer       string // the folder under models/, and the model's schema
	Path        string // project-relative path of the .sql file
	SQL         string // the template text
	Description string
	Columns     []Column
	Config      Config
	Tests       []*Test
	// Deliveries are the messages sent about the model's rows.
	Deliveries []*Delivery
	// YAMLFile and YAMLLine locate the model's YAML entry, when it has one.
	YAMLFile string
	YAMLLine int
}

// Column documents one column of a model.
type Column struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	DataType    string `json:"data_type,omitempty"`
}

// Seed is a landing input declared in YAML.
type Seed struct {
	Name string `yaml:"name"`
	// Path is a template ({{ var('seeds_dir') }}/x.csv), or a list of them
	// tried in order: the first that matches a file is the landing.
	Path StringList `yaml:"path"`
	// Formats is the format of each path: Format when given, else its
	// extension's.
	Formats []string `yaml:"-"`
	Format  string   `yaml:"format"`
	// Encoding of a CSV seed's text: utf-8 (the default), latin-1 or utf-16.
	Encoding string `yaml:"encoding"`
	Table    string `yaml:"table"` // schema.name; default raw.<name>
	// SQLiteTable or SQLiteQuery says what a SQLite seed reads of its file.
	SQLiteTable string `yaml:"sqlite_table"`
	SQLiteQuery string `yaml:"sqlite_query"`
	Description string `yaml:"description"`
	File        string `yaml:"-"`
	Line        int    `yaml:"-"`
}

// Schema and TableName split Table.
func (s *Seed) Schema() string    { sch, _, _ := strings.Cut(s.Table, "."); return sch }
func (s *Seed) TableName() string { _, t, _ := strings.Cut(s.Table, "."); return t }

type yamlFile struct {
	Models   []yaml.Node `yaml:"models"`
	Seeds    []yaml.Node `yaml:"seeds"`
	OnRunEnd []yaml.Node `yaml:"on_run_end"`
}

type modelYAML struct {
	Name        string       `yaml:"name"`
	Description string       `yaml:"description"`
	Config      Config       `yaml:"config"`
	Columns     []columnYAML `yaml:"columns"`
	Tests       []TestSpec   `yaml:"tests"`
	Exports     *[]Export    `yaml:"exports"`
	Deliveries  []yaml.Node  `yaml:"deliveries"`
}

type columnYAML struct {
	Name        string     `yaml:"name"`
	Description string     `yaml:"description"`
	DataType    string     `yaml:"data_type"`
	Tests       []TestSpec `yaml:"tests"`
}

// loadModels reads every .sql and .yml under models/.
func (p *Project) loadModels(fsys fs.FS) error {
	var list errorList
	sqls, err := readDir(fsys, ModelsDir, ".sql")
	if err != nil {
		return err
	}
	seen := map[string]*Model{}
	for _, file := range sortedPaths(sqls) {
		rel := strings.TrimPrefix(file, ModelsDir+"/")
		layer, _, nested := strings.Cut(rel, "/")
		if !nested {
			list.addf(file, 1, 0, "a model must live in a layer folder such as models/silver/")
			continue
		}
		m := &Model{Name: stem(file), Layer: layer, Path: file, SQL: sqls[file]}
		if prev, dup := seen[m.Name]; dup {
			list.addf(file, 1, 0, "duplicate model name %q (also %s:1)", m.Name, prev.Path)
			continue
		}
		seen[m.Name] = m
		m.Config = Config{Materialized: View}.Merge(p.Layers[layer])
		p.Models = append(p.Models, m)
	}
	ymls, err := readYAMLFiles(fsys)
	if err != nil {
		return err
	}
	for _, file := range sortedPaths(ymls) {
		list.add(p.loadYAML(file, []byte(ymls[file]), seen))
	}
	for _, m := range p.Models {
		if err := m.Config.Validate(); err != nil {
			list.add(m.configError(err))
		}
	}
	return list.err()
}

func readYAMLFiles(fsys fs.FS) (map[string]string, error) {
	files, err := readDir(fsys, ModelsDir, ".yml")
	if err != nil {
		return nil, err
	}
	more, err := readDir(fsys, ModelsDir, ".yaml")
	for k, v := range more {
		files[k] = v
	}
	return files, err
}

func (m *Model) configError(err error) error {
	if m.YAMLFile != "" {
		return &Error{File: m.YAMLFile, Line: m.YAMLLine, Msg: fmt.Sprintf("model %s: %v", m.Name, err)}
	}
	return &Error{File: m.Path, Line: 1, Msg: err.Error()}
}

// loadYAML reads one YAML file's models and seeds entries.
func (p *Project) loadYAML(file string, data []byte, models map[string]*Model) error {
	var f yamlFile
	if err := decodeStrict(file, data, &f); err != nil {
		return err
	}
	var list errorList
	for i := range f.Models {
		list.add(p.addModelYAML(file, &f.Models[i], models))
	}
	for i := range f.Seeds {
		list.add(p.addSeed(file, &f.Seeds[i]))
	}
	for i := range f.OnRunEnd {
		list.add(p.addOnRunEnd(file, &f.OnRunEnd[i]))
	}
	return list.err()
}

func (p *Project) addModelYAML(file string, node *yaml.Node, models map[string]*Model) error {
	var y modelYAML
	if err := decodeNode(file, node, &y); err != nil {
		return err
	}
	m, ok := models[y.Name]
	if !ok {
		return nodeError(file, node, "model %q has no SQL file under %s/", y.Name, ModelsDir)
	}
	if m.YAMLFile != "" {
		return nodeError(file, node, "model %q is already described at %s:%d", y.Name, m.YAMLFile, m.YAMLLine)
	}
	m.YAMLFile, m.YAMLLine = file, node.Line
	m.Description = y.Description
	m.Config = m.Config.Merge(y.Config)
	if y.Exports != nil {
		m.Config.Exports = y.Exports
	}
	var list errorList
	list.add(m.addDeliveries(file, y.Deliveries))
	for _, c := range y.Columns {
		m.Columns = append(m.Columns, Column{Name: c.Name, Description: c.Description, DataType: c.DataType})
		for _, spec := range c.Tests {
			t, err := spec.test(file, m.Name, c.Name)
			list.add(err)
			if t != nil {
				m.Tests = append(m.Tests, t)
			}
		}
	}
	for _, spec := range y.Tests {
		t, err := spec.test(file, m.Name, "")
		list.add(err)
		if t != nil {
			m.Tests = append(m.Tests, t)
		}
	}
	return list.err()
}

func (p *Project) addSeed(file string, node *yaml.Node) error {
	s := &Seed{}
	if err := decodeNode(file, node, s); err != nil {
		return err
	}
	s.File, s.Line = file, node.Line
	if s.Name == "" || len(s.Path) == 0 || slices.Contains(s.Path, "") {
		return nodeError(file, node, "a seed needs a name and a path")
	}
	if prev := p.Seed(s.Name); prev != nil {
		return nodeError(file, node, "duplicate seed %q (also %s:%d)", s.Name, prev.File, prev.Line)
	}
	if s.Table == "" {
		s.Table = "raw." + s.Name
	}
	if strings.Count(s.Table, ".") != 1 {
		return nodeError(file, node, "seed %s: table must be schema.name, got %q", s.Name, s.Table)
	}
	s.Formats = make([]string, len(s.Path))
	for i, p := range s.Path {
		if s.Formats[i] = s.Format; s.Format == "" {
			s.Formats[i] = formatFromPath(p)
		}
		switch s.Formats[i] {
		case "csv", "json", "ndjson", "sqlite":
		default:
			return nodeError(file, node, "seed %s: format must be csv, json, ndjson or sqlite, got %q", s.Name, s.Formats[i])
		}
	}
	if s.Format == "" {
		s.Format = s.Formats[0]
	}
	switch sqlite := slices.Contains(s.Formats, "sqlite"); {
	case !sqlite && (s.SQLiteTable != "" || s.SQLiteQuery != ""):
		return nodeError(file, node, "seed %s: sqlite_table and sqlite_query are for format: sqlite", s.Name)
	case sqlite && (s.SQLiteTable == "") == (s.SQLiteQuery == ""):
		return nodeError(file, node, "seed %s: a SQLite seed reads either a sqlite_table or a sqlite_query", s.Name)
	}
	switch s.Encoding = strings.ToLower(s.Encoding); s.Encoding {
	case "", "utf-8":
		s.Encoding = ""
	case "latin-1", "utf-16":
		if !slices.Contains(s.Formats, "csv") {
			return nodeError(file, node, "seed %s: encoding %s is for CSV files; JSON is UTF-8", s.Name, s.Encoding)
		}
	default:
		return nodeError(file, node, "seed %s: encoding must be utf-8, latin-1 or utf-16, got %q", s.Name, s.Encoding)
	}
	p.Seeds = append(p.Seeds, s)
	return nil
}

func formatFromPath(p string) string {
	p = strings.TrimSuffix(p, ".gz")
	switch path.Ext(p) {
	case ".csv":
		return "csv"
	case ".jsonl", ".ndjson":
		return "ndjson"
	case ".json":
		return "json"
	case ".db", ".sqlite", ".sqlite3":
		return "sqlite"
	}
	return ""
}
