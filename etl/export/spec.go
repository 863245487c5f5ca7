package export

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"etlrunner/etl/warehouse"
)

// srcAlias names the source inside every generated query, so ORDER BY can
// reach the typed column even when the select list re-renders it under the
// same name.
const srcAlias = `"_src"`

// output is one COPY writing one file.
type output struct {
	path   string // relative to the stage/output dir, forward slashes
	unit   string // what Publish replaces as a whole
	source string // SQL relation or parenthesised query giving typed rows
	cols   []warehouse.Column
	order  []string // rendered ORDER BY terms
	// segment is the cut of a segmented export, recorded in its File.
	segment string
}

// normalize checks spec and fills in its defaults.
func normalize(spec Spec) (Spec, error) {
	fail := func(format string, args ...any) (Spec, error) {
		return Spec{}, fmt.Errorf("export %s: %s", spec.Model, fmt.Sprintf(format, args...))
	}
	switch {
	case spec.Model == "":
		return fail("model name is empty")
	case strings.TrimSpace(spec.Relation) == "":
		return fail("relation is empty")
	case spec.Format != Parquet && spec.Format != CSV:
		return fail("format %q is not parquet or csv", spec.Format)
	case len(spec.PartitionBy) > 0 && spec.SplitBy != "":
		return fail("partition_by and split_by cannot be combined")
	case len(spec.PartitionBy) > 0 && spec.Pivot != nil:
		return fail("pivot works per split and cannot be combined with partition_by")
	case spec.Segment != nil && spec.SplitBy != "":
		return fail("segment cannot be combined with split_by")
	case spec.Segment != nil && spec.Pivot != nil:
		return fail("segment cannot be combined with pivot")
	}
	if sg := spec.Segment; sg != nil {
		if sg.Column == "" || strings.TrimSpace(sg.Width) == "" {
			return fail("segment needs a column and a width")
		}
		if slices.Contains(spec.PartitionBy, sg.Column) {
			return fail("segment column %q is also a partition column", sg.Column)
		}
	}
	if spec.CompactAfter < 0 || spec.CompactAfter >= maxSeq {
		return fail("compact_after must be between 0 and %d", maxSeq-1)
	}
	if p := spec.Pivot; p != nil && (len(p.Index) == 0 || p.Names == "" || p.Values == "") {
		return fail("pivot needs index, names and values columns")
	}
	if spec.Path == "" {
		spec.Path = spec.Model
		if !spec.isDir() {
			spec.Path += "." + spec.Format.ext()
		}
	}
	clean, err := cleanRelPath(spec.Path)
	if err != nil {
		return fail("%v", err)
	}
	spec.Path = clean
	return spec, nil
}

func (s Spec) isDir() bool { return s.cutsFiles() || s.SplitBy != "" }

// cutsFiles reports an export whose files are cut by partition values
// and/or time segments: the exports a run can rewrite in part.
func (s Spec) cutsFiles() bool { return len(s.PartitionBy) > 0 || s.Segment != nil }

// cleanRelPath accepts only paths that stay inside the output dir and do not
// take the manifest's place.
func cleanRelPath(p string) (string, error) {
	p = strings.ReplaceAll(p, `\`, "/")
	if path.IsAbs(p) {
		return "", fmt.Errorf("path %q must be relative to the output dir", p)
	}
	c := path.Clean(p)
	if c == "." || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("path %q leaves the output dir", p)
	}
	if c == ManifestName {
		return "", fmt.Errorf("path %q is reserved for the manifest", p)
	}
	return c, nil
}

// plan turns spec into the COPYs that produce its files.
func plan(ctx context.Context, db *sql.DB, spec Spec, cols []warehouse.Column) ([]output, error) {
	if err := checkColumns(spec, cols); err != nil {
		return nil, err
	}
	if spec.cutsFiles() {
		l, err := newLayout(ctx, db, spec, cols)
		if err != nil {
			return nil, err
		}
		keys, err := l.keys(ctx, db, spec.Relation)
		if err != nil {
			return nil, err
		}
		return l.outputs(keys)
	}
	if spec.SplitBy == "" && spec.Pivot == nil {
		o := output{path: spec.Path, unit: spec.Path, source: spec.Relation, cols: cols}
		if err := o.setOrder(spec.OrderBy, colNames(cols)); err != nil {
			return nil, err
		}
		return []output{o}, nil
	}
	if spec.SplitBy == "" {
		o, err := pivotOutput(ctx, db, spec, "", spec.Path)
		if err != nil {
			return nil, err
		}
		return []output{o}, nil
	}
	values, err := splitValues(ctx, db, spec.Relation, spec.SplitBy)
	if err != nil {
		return nil, err
	}
	var outs []output
	for _, v := range values {
		where := fmt.Sprintf("CAST(%s.%s AS VARCHAR) = %s", srcAlias, warehouse.QuoteIdent(spec.SplitBy), warehouse.QuoteString(v))
		p := spec.Path + "/" + spec.SplitBy + "=" + v + "." + spec.Format.ext()
		if spec.Pivot != nil {
			o, err := pivotOutput(ctx, db, spec, where, p)
			if err != nil {
				return nil, fmt.Errorf("split %s=%s: %w", spec.SplitBy, v, err)
			}
			o.unit = spec.Path
			outs = append(outs, o)
			continue
		}
		o := output{path: p, unit: spec.Path, cols: cols,
			source: fmt.Sprintf("(SELECT * FROM %s AS %s WHERE %s)", spec.Relation, srcAlias, where)}
		if err := o.setOrder(spec.OrderBy, colNames(cols)); err != nil {
			return nil, err
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// setOrder renders the ORDER BY. When the caller asks for an order, every
// other tie-breaker column is appended so reruns write identical bytes.
func (o *output) setOrder(terms []string, tieBreakers []string) error {
	if len(terms) == 0 {
		return nil
	}
	used := map[string]bool{}
	for _, t := range terms {
		name, dir, err := parseOrderTerm(t)
		if err != nil {
			return err
		}
		if !hasColumn(o.cols, name) {
			return fmt.Errorf("order_by column %q is not in the output (columns: %s)", name, strings.Join(colNames(o.cols), ", "))
		}
		used[name] = true
		o.order = append(o.order, srcAlias+"."+warehouse.QuoteIdent(name)+dir)
	}
	for _, name := range tieBreakers {
		if !used[name] {
			o.order = append(o.order, srcAlias+"."+warehouse.QuoteIdent(name))
		}
	}
	return nil
}

// checkColumns reports every referenced column missing from the relation.
func checkColumns(spec Spec, cols []warehouse.Column) error {
	refs := append([]string{}, spec.PartitionBy...)
	if spec.SplitBy != "" {
		refs = append(refs, spec.SplitBy)
	}
	if spec.Segment != nil {
		refs = append(refs, spec.Segment.Column)
	}
	if p := spec.Pivot; p != nil {
		refs = append(refs, p.Index...)
		refs = append(refs, p.Names, p.Values)
		if p.Order != "" {
			refs = append(refs, p.Order)
		}
	}
	var missing []string
	for _, r := range refs {
		if !hasColumn(cols, r) {
			missing = append(missing, fmt.Sprintf("%q", r))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("columns %s are not in the relation (columns: %s)",
			strings.Join(missing, ", "), strings.Join(colNames(cols), ", "))
	}
	if strings.ContainsAny(spec.SplitBy, "/\\\x00") {
		return errors.New("split_by column name cannot be part of a file name")
	}
	return nil
}

func hasColumn(cols []warehouse.Column, name string) bool {
	for _, c := range cols {
		if c.Name == name {
			return true
		}
	}
	return false
}

func colNames(cols []warehouse.Column) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}
