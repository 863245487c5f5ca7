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
	rows, err := q.QueryContext(ctx, fmt.Sprintf("SELECT COLUMNS(*)::VARCHAR FROM (%s) LIMIT %d", query, SampleSize))
	if err != nil {
		return res, err
	}
	cols, data, err := warehouse.TextRows(rows)
	if err != nil {
		return res, err
	}
	res.Sample = append(res.Sample, strings.Join(cols, " | "))
	for _, row := range data {
		res.Sample = append(res.Sample, strings.Join(row, " | "))
	}
	return res, nil
}
