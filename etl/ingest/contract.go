package ingest

import (
	"context"
	"fmt"
	"strings"

	"etlrunner/etl/warehouse"
)

// Lineage columns every raw table carries besides its data columns.
const (
	colSourceFile = "_source_file"
	colSourceLine = "_source_line"
	colLoadedAt   = "_loaded_at"
	colExtra      = "_extra"
)

// contract is what the raw table expects from a file: its data columns, in
// table order, and whether undeclared CSV columns are kept in _extra.
type contract struct {
	schema, table string
	data          []string
	extra         bool
}

func (c contract) qualified() string { return warehouse.Qualified(c.schema, c.table) }

func readContract(ctx context.Context, q warehouse.Querier, schema, table string) (contract, error) {
	cols, err := warehouse.Columns(ctx, q, schema, table)
	if err != nil {
		return contract{}, err
	}
	if len(cols) == 0 {
		return contract{}, fmt.Errorf("raw table %s.%s does not exist", schema, table)
	}
	c := contract{schema: schema, table: table}
	seen := map[string]bool{}
	for _, col := range cols {
		switch col.Name {
		case colSourceFile, colSourceLine, colLoadedAt:
			seen[col.Name] = true
		case colExtra:
			if !strings.EqualFold(strings.ReplaceAll(col.Type, " ", ""), "MAP(VARCHAR,VARCHAR)") {
				return contract{}, fmt.Errorf("raw table %s.%s: %s must be MAP(VARCHAR, VARCHAR), not %s",
					schema, table, colExtra, col.Type)
			}
			c.extra = true
		default:
			c.data = append(c.data, col.Name)
		}
	}
	if len(c.data) == 0 {
		return contract{}, fmt.Errorf("raw table %s.%s has no data columns", schema, table)
	}
	for _, name := range []string{colSourceFile, colSourceLine, colLoadedAt} {
		if !seen[name] {
			return contract{}, fmt.Errorf("raw table %s.%s lacks lineage column %s", schema, table, name)
		}
	}
	return c, nil
}
