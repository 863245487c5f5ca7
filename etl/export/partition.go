package export

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"etlrunner/etl/warehouse"
)

// hiveNull is the directory value hive readers (DuckDB, Spark) take as NULL.
const hiveNull = "__HIVE_DEFAULT_PARTITION__"

// partitionOutputs plans one file per distinct combination of the
// partition columns, <Path>/<c1>=<v1>/.../data_0.<ext>, holding the other
// columns. One COPY per partition rather than COPY ... PARTITION_BY because
// DuckDB's partitioned writer interleaves its threads' rows, so reruns on
// the same table would not write the same bytes; a plain COPY keeps order.
func partitionOutputs(ctx context.Context, db *sql.DB, spec Spec, cols []warehouse.Column) ([]output, error) {
	tuples, err := distinctTuples(ctx, db, spec.Relation, spec.PartitionBy)
	if err != nil {
		return nil, err
	}
	kept := withoutColumns(cols, spec.PartitionBy)
	if len(kept) == 0 {
		return nil, fmt.Errorf("partition_by leaves no columns to write")
	}
	quoted := make([]string, len(spec.PartitionBy))
	for i, c := range spec.PartitionBy {
		quoted[i] = warehouse.QuoteIdent(c)
	}
	// Within one file a partition column is constant, so ordering by it is moot.
	var terms []string
	for _, t := range spec.OrderBy {
		if name, _, err := parseOrderTerm(t); err != nil || !slices.Contains(spec.PartitionBy, name) {
			terms = append(terms, t)
		}
	}
	var outs []output
	for _, tuple := range tuples {
		dirs := make([]string, len(tuple))
		conds := make([]string, len(tuple))
		for i, v := range tuple {
			ref := srcAlias + "." + quoted[i]
			if !v.Valid {
				dirs[i] = spec.PartitionBy[i] + "=" + hiveNull
				conds[i] = ref + " IS NULL"
				continue
			}
			dirs[i] = spec.PartitionBy[i] + "=" + hiveEscape(v.String)
			conds[i] = fmt.Sprintf("CAST(%s AS VARCHAR) = %s", ref, warehouse.QuoteString(v.String))
		}
		o := output{
			path: spec.Path + "/" + strings.Join(dirs, "/") + "/data_0." + spec.Format.ext(),
			unit: spec.Path, cols: kept,
			source: fmt.Sprintf("(SELECT * EXCLUDE (%s) FROM %s AS %s WHERE %s)",
				strings.Join(quoted, ", "), spec.Relation, srcAlias, strings.Join(conds, " AND ")),
		}
		if err := o.setOrder(terms, colNames(kept)); err != nil {
			return nil, err
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// distinctTuples reads the distinct combinations of cols as text, sorted,
// NULLs first. It stops past maxSplits: more than that many files means the
// columns are keys rather than categories.
func distinctTuples(ctx context.Context, db *sql.DB, relation string, cols []string) ([][]sql.NullString, error) {
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = fmt.Sprintf("CAST(%s AS VARCHAR)", warehouse.QuoteIdent(c))
	}
	q := fmt.Sprintf("SELECT DISTINCT %s FROM %s ORDER BY ALL NULLS FIRST LIMIT %d",
		strings.Join(exprs, ", "), relation, maxSplits+1)
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("distinct values of %s: %w", strings.Join(cols, ", "), err)
	}
	defer rows.Close()
	var out [][]sql.NullString
	for rows.Next() {
		tuple := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range tuple {
			ptrs[i] = &tuple[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("distinct values of %s: %w", strings.Join(cols, ", "), err)
		}
		out = append(out, tuple)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("distinct values of %s: %w", strings.Join(cols, ", "), err)
	}
	if len(out) > maxSplits {
		return nil, fmt.Errorf("%s: more than %d distinct values, too many files", strings.Join(cols, ", "), maxSplits)
	}
	return out, nil
}

// hiveEscape percent-encodes a partition value for a directory name, as
// hive readers expect. Letters, digits, "-_.~" and non-ASCII text stay.
func hiveEscape(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 0x80 || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
