package datatest

import (
	"context"
	"fmt"
	"strings"

	"etlrunner/etl/warehouse"
)

// Result of running one test.
type Result struct {
	Failures int64
	// Sample holds up to SampleSize failing rows, header first, as text.
	Sample []string
}

// SampleSize is how many failing rows a result shows.
const SampleSize = 5

// Run counts the failing rows of query and samples a few of them.
func Run(ctx context.Context, q warehouse.Querier, query string) (Result, error) {
	var res Result
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM ("+query+")").Scan(&res.Failures); err != nil {
		return res, err
	}
	if res.Failures == 0 {
		return res, nil
	}
	rows, err := q.QueryContext(ctx, fmt.Sprintf("SELECT * FROM (%s) LIMIT %d", query, SampleSize))
	if err != nil {
		return res, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return res, err
	}
	res.Sample = append(res.Sample, strings.Join(cols, " | "))
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return res, err
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			cells[i] = cell(v)
		}
		res.Sample = append(res.Sample, strings.Join(cells, " | "))
	}
	return res, rows.Err()
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(x)
	default:
		return fmt.Sprint(x)
	}
}
