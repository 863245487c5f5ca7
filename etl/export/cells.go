package export

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"etlrunner/etl/warehouse"
)

// prevFile is a published file with the key its path names.
type prevFile struct {
	key  fileKey
	file File
}

// cellPlan is what an incremental write does: the COPYs to run and the
// published files to carry over.
type cellPlan struct {
	writes  []output
	carried []File
	scratch []string // tables to drop afterwards
}

func (p cellPlan) drop(db *sql.DB) {
	for _, t := range p.scratch {
		_, _ = db.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+t)
	}
}

// planCells decides what happens to each cell: untouched ones are carried,
// touched ones compacted or added to (see writeIncremental).
func (l layout) planCells(ctx context.Context, db *sql.DB, cols, changed []warehouse.Column, touched []fileKey) (cellPlan, error) {
	var p cellPlan
	prev := map[string][]prevFile{}
	for _, f := range l.spec.Previous {
		k, _ := l.parsePath(f.Path) // canCarry checked every path
		prev[k.cell().cellID()] = append(prev[k.cell().cellID()], prevFile{k, f})
	}
	isTouched := map[string]bool{}
	var compact, candidates []fileKey
	appendable := l.seg != nil && l.spec.CompactAfter > 0 && logHoldsRows(cols, changed)
	for _, k := range touched {
		id := k.cellID()
		isTouched[id] = true
		if appendable && len(prev[id]) > 0 {
			candidates = append(candidates, k)
		} else {
			compact = append(compact, k)
		}
	}
	for _, f := range l.spec.Previous {
		if k, _ := l.parsePath(f.Path); !isTouched[k.cell().cellID()] {
			p.carried = append(p.carried, f)
		}
	}
	if len(candidates) > 0 {
		a, err := l.analyze(ctx, db, cols, candidates, prev)
		p.scratch = a.tables
		switch {
		case ctx.Err() != nil:
			return p, ctx.Err()
		case err != nil:
			// Counting failed (a column type DuckDB cannot compare, say):
			// compacting the cells is always right.
			countingFailed(err)
			compact = append(compact, candidates...)
		default:
			for id, k := range a.keys {
				verdict := a.cells[id]
				if verdict.compact {
					compact = append(compact, k)
					continue
				}
				p.carried = append(p.carried, verdict.keep...)
				for _, f := range verdict.rewrite {
					o, err := l.rewriteOutput(f, a)
					if err != nil {
						return p, err
					}
					p.writes = append(p.writes, o)
				}
				if verdict.add > 0 {
					o, err := l.addedOutput(k, verdict.seq, a)
					if err != nil {
						return p, err
					}
					p.writes = append(p.writes, o)
				}
			}
		}
	}
	slices.SortFunc(compact, compareKeys)
	outs, err := l.outputs(compact)
	if err != nil {
		return p, err
	}
	p.writes = append(p.writes, outs...)
	slices.SortFunc(p.writes, func(a, b output) int { return strings.Compare(a.path, b.path) })
	return p, nil
}

// logHoldsRows reports whether the change log has every column of the
// relation with its type, so its rows can be written as they are, and
// whether no column name collides with the counting's own.
func logHoldsRows(cols, changed []warehouse.Column) bool {
	for _, c := range cols {
		if strings.HasPrefix(strings.ToLower(c.Name), "__etl_") || columnType(changed, c.Name) != c.Type {
			return false
		}
	}
	return true
}
