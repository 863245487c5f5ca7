package project

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// ManifestFile is the output manifest's name in the output folder, a path
// no export may take (the export package writes it).
const ManifestFile = "_manifest.json"

// Materializations the runner knows.
const (
	View        = "view"
	Table       = "table"
	Incremental = "incremental"
)

// Incremental strategies.
const (
	Append       = "append"
	DeleteInsert = "delete+insert"
)

// Batch modes of an incremental model (config batch).
const (
	// BatchLoad: each input shows only its rows added since the model last
	// ran; the model's rows are appended, or replace those sharing their
	// unique_key (delete+insert).
	BatchLoad = "load"
	// BatchKey: each input holding the unique_key columns shows every row
	// of the keys its changes touch; the model's rows of those keys are
	// replaced by what the query returns for them.
	BatchKey = "key"
)

// Config is a model's configuration, merged from the project file's layer
// defaults, the model's YAML and the model's own config(...) call.
type Config struct {
	Materialized        string     `yaml:"materialized" json:"materialized"`
	IncrementalStrategy string     `yaml:"incremental_strategy" json:"incremental_strategy,omitempty"`
	UniqueKey           StringList `yaml:"unique_key" json:"unique_key,omitempty"`
	Tags                StringList `yaml:"tags" json:"tags,omitempty"`
	Enabled             *bool      `yaml:"enabled" json:"enabled,omitempty"`
	// Rejects splits rows whose _reject_reason is set into <model>_rejects.
	Rejects *bool `yaml:"rejects" json:"rejects,omitempty"`
	// Exports replaces the layer's default exports when set.
	Exports *[]Export `yaml:"exports" json:"exports,omitempty"`
	// Batch hands an incremental model's inputs to it by batch, so the
	// model stays a plain SELECT: BatchLoad shows each input's rows added
	// since the model last ran, BatchKey every row of the unique_key values
	// its inputs changed. See Config.Validate and the README.
	Batch string `yaml:"batch" json:"batch,omitempty"`
}

// StringList accepts either a single string or a list of strings.
type StringList []string

// UnmarshalYAML accepts `a` as well as `[a, b]`.
func (s *StringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = StringList{n.Value}
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*s = list
	return nil
}

// Export describes one output of a model. In YAML it is either a bare format
// name (`parquet`) or a mapping with options.
type Export struct {
	Format      string     `yaml:"format" json:"format"`
	Path        string     `yaml:"path" json:"path,omitempty"`
	PartitionBy StringList `yaml:"partition_by" json:"partition_by,omitempty"`
	SplitBy     string     `yaml:"split_by" json:"split_by,omitempty"`
	Pivot       *Pivot     `yaml:"pivot" json:"pivot,omitempty"`
	OrderBy     StringList `yaml:"order_by" json:"order_by,omitempty"`
	// Segment splits each partition into one file per time bucket, so an
	// incremental run rewrites only the files its rows touch.
	Segment *Segment `yaml:"segment" json:"segment,omitempty"`
}

// Segment is a time bucketing of a DATE or TIMESTAMP column, e.g.
// {column: event_datetime, width: 1 minute}.
type Segment struct {
	Column string `yaml:"column" json:"column"`
	Width  string `yaml:"width" json:"width"`
	// CompactAfter is how many files an incremental export may add to a
	// segment before it merges them into one; 0 rewrites every touched
	// segment whole. Unset: the runner's default (30).
	CompactAfter *int `yaml:"compact_after" json:"compact_after,omitempty"`
}

// maxCompactAfter keeps an added file's number within its four digits.
const maxCompactAfter = 9998

// Pivot turns a long relation into wide columns while exporting.
type Pivot struct {
	Index  StringList `yaml:"index" json:"index"`
	Names  string     `yaml:"names" json:"names"`
	Values string     `yaml:"values" json:"values"`
	Order  string     `yaml:"order" json:"order,omitempty"`
}

// UnmarshalYAML accepts a bare format name or a full mapping.
func (e *Export) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*e = Export{Format: n.Value}
		return nil
	}
	type plain Export
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*e = Export(p)
	return nil
}

// Merge overlays the fields set in o onto c.
func (c Config) Merge(o Config) Config {
	if o.Materialized != "" {
		c.Materialized = o.Materialized
	}
	if o.IncrementalStrategy != "" {
		c.IncrementalStrategy = o.IncrementalStrategy
	}
	if o.UniqueKey != nil {
		c.UniqueKey = o.UniqueKey
	}
	if o.Tags != nil {
		c.Tags = append(append(StringList{}, c.Tags...), o.Tags...)
	}
	if o.Enabled != nil {
		c.Enabled = o.Enabled
	}
	if o.Rejects != nil {
		c.Rejects = o.Rejects
	}
	if o.Exports != nil {
		c.Exports = o.Exports
	}
	if o.Batch != "" {
		c.Batch = o.Batch
	}
	return c
}

// IsEnabled reports whether the model takes part in runs.
func (c Config) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

// HasRejects reports whether rejected rows are split off.
func (c Config) HasRejects() bool { return c.Rejects != nil && *c.Rejects }

// ExportList is the effective list of exports.
func (c Config) ExportList() []Export {
	if c.Exports == nil {
		return nil
	}
	return *c.Exports
}

// validate checks the values a config may take.
func (c Config) Validate() error {
	switch c.Materialized {
	case View, Table, Incremental:
	default:
		return fmt.Errorf("materialized must be one of view, table, incremental; got %q", c.Materialized)
	}
	switch c.IncrementalStrategy {
	case "", Append:
	case DeleteInsert:
		if len(c.UniqueKey) == 0 {
			return fmt.Errorf("incremental_strategy %q needs a unique_key", c.IncrementalStrategy)
		}
	default:
		return fmt.Errorf("incremental_strategy must be append or delete+insert; got %q", c.IncrementalStrategy)
	}
	if err := c.validateBatch(); err != nil {
		return err
	}
	dests := map[string]bool{}
	for _, e := range c.ExportList() {
		if err := e.validate(); err != nil {
			return err
		}
		// Two exports writing one file or folder would replace each other.
		dest := e.Path
		if dest == "" && (e.SplitBy != "" || len(e.PartitionBy) > 0 || e.Segment != nil) {
			dest = "<model>/"
		} else if dest == "" {
			dest = "<model>." + e.Format
		}
		if dests[dest] {
			return fmt.Errorf("two exports write to %s; give one of them its own path", dest)
		}
		dests[dest] = true
	}
	return nil
}

func (c Config) validateBatch() error {
	switch c.Batch {
	case "":
		return nil
	case BatchLoad, BatchKey:
	default:
		return fmt.Errorf("batch must be load or key; got %q", c.Batch)
	}
	if c.Materialized != Incremental && (c.Materialized != View || c.Batch != BatchLoad) {
		return fmt.Errorf("batch: %s needs materialized: incremental (or view, with batch: load)", c.Batch)
	}
	if c.Batch == BatchKey && (len(c.UniqueKey) == 0 || c.IncrementalStrategy == Append) {
		return fmt.Errorf("batch: key replaces rows by their unique_key: give a unique_key and no append strategy")
	}
	return nil
}

// Strategy is the effective incremental strategy: batch: key always
// replaces by key.
func (c Config) Strategy() string {
	if c.Batch == BatchKey {
		return DeleteInsert
	}
	return c.IncrementalStrategy
}

func (e Export) validate() error {
	switch e.Format {
	case "parquet", "csv":
	default:
		return fmt.Errorf("export format must be parquet or csv; got %q", e.Format)
	}
	if e.SplitBy != "" && len(e.PartitionBy) > 0 {
		return fmt.Errorf("export: split_by and partition_by cannot be combined")
	}
	if s := e.Segment; s != nil {
		switch {
		case s.Column == "" || s.Width == "":
			return fmt.Errorf("export segment needs a column and a width (such as 1 hour)")
		case e.SplitBy != "" || e.Pivot != nil:
			return fmt.Errorf("export segment cannot be combined with split_by or pivot")
		case s.CompactAfter != nil && (*s.CompactAfter < 0 || *s.CompactAfter > maxCompactAfter):
			return fmt.Errorf("export segment compact_after must be between 0 and %d, got %d", maxCompactAfter, *s.CompactAfter)
		}
	}
	if e.Pivot != nil && (e.Pivot.Names == "" || e.Pivot.Values == "" || len(e.Pivot.Index) == 0) {
		return fmt.Errorf("export pivot needs index, names and values")
	}
	return validOutputPath(e.Path)
}

// validOutputPath accepts an export path (empty: the default) only when it
// names a place inside the output folder that is not the runner's own: not
// absolute, not leaving the folder, not the manifest, no hidden component
// (the runner stages and swaps outputs under names starting with a dot).
func validOutputPath(p string) error {
	if p == "" {
		return nil
	}
	slash := strings.ReplaceAll(p, `\`, "/")
	if path.IsAbs(slash) || filepath.IsAbs(p) || filepath.VolumeName(p) != "" || (len(slash) > 1 && slash[1] == ':') {
		return fmt.Errorf("export path %q must be relative to the output folder", p)
	}
	clean := path.Clean(slash)
	if clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
		return fmt.Errorf("export path %q leaves the output folder", p)
	}
	if clean == ManifestFile {
		return fmt.Errorf("export path %q is the output manifest's", p)
	}
	for _, part := range strings.Split(clean, "/") {
		if strings.HasPrefix(part, ".") {
			return fmt.Errorf("export path %q has a hidden part %q (names starting with a dot are the runner's)", p, part)
		}
	}
	return nil
}

// DecodeConfig decodes YAML text (from a config() call) into c, rejecting
// unknown keys.
func DecodeConfig(data []byte, c *Config) error {
	return decodeStrict("config", data, c)
}
