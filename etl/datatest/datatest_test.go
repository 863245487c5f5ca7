package datatest

import (
	"context"
	"strings"
	"testing"

	"etlrunner/etl/project"
	"etlrunner/etl/warehouse"
)

// openWith opens an in-memory warehouse and runs stmts in it.
func openWith(t *testing.T, stmts ...string) *warehouse.Warehouse {
	t.Helper()
	w, err := warehouse.Open(context.Background(), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	for _, stmt := range stmts {
		if _, err := w.DB.ExecContext(context.Background(), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	return w
}

func TestTests(t *testing.T) {
	ctx := context.Background()
	w := openWith(t,
		"CREATE SCHEMA gold",
		"CREATE SCHEMA raw",
		"CREATE TABLE gold.accounts AS SELECT * FROM (VALUES ('A1', 'C1', 'open'), ('A2', 'C1', 'shut'), ('A2', 'C9', 'open'), (NULL, 'C2', 'Open')) t(account, customer, status)",
		"CREATE TABLE gold.customers AS SELECT * FROM (VALUES ('C1'), ('C2')) t(customer)",
		"CREATE TABLE raw.accounts AS SELECT * FROM range(6)",
		"CREATE TABLE gold.accounts_rejects AS SELECT * FROM range(1)",
	)
	rel := Relations{
		Model:   func(n string) string { return warehouse.Qualified("gold", n) },
		Rejects: func(n string) string { return warehouse.Qualified("gold", n+"_rejects") },
		Source:  func(n string) string { return warehouse.Qualified("raw", n) },
	}
	cases := []struct {
		name   string
		test   project.Test
		fails  int64
		sample string
	}{
		{"not_null fails", project.Test{Kind: project.NotNull, Column: "account"}, 1, "NULL | C2 | Open"},
		{"not_null passes", project.Test{Kind: project.NotNull, Column: "customer"}, 0, ""},
		{"unique fails", project.Test{Kind: project.Unique, Column: "account"}, 1, "A2 | 2"},
		{"unique on a combination passes", project.Test{Kind: project.Unique, Columns: []string{"account", "customer"}}, 0, ""},
		{"accepted_values is case-sensitive", project.Test{Kind: project.AcceptedValues, Column: "status", Values: []string{"open", "shut"}, Quote: true}, 1, "Open | 1"},
		{"relationships fails", project.Test{Kind: project.Relationships, Column: "customer", To: "customers", Field: "customer"}, 1, "C9 | 1"},
		{"expression_is_true", project.Test{Kind: project.ExpressionIsTrue, Expression: "status IN ('open', 'shut')"}, 1, "NULL | C2 | Open"},
		// 6 landed rows, 4 kept and 1 rejected: one row is lost.
		{"row conservation fails", project.Test{Kind: project.RowConservation}, 1, "6 | 4 | 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.test.Model = "accounts"
			q, err := SQL(&tc.test, rel)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(ctx, w.DB, q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if res.Failures != tc.fails {
				t.Fatalf("failures = %d, want %d (%s)", res.Failures, tc.fails, q)
			}
			if tc.fails > 0 && (len(res.Sample) < 2 || res.Sample[1] != tc.sample) {
				t.Fatalf("sample = %q, want row %q", res.Sample, tc.sample)
			}
		})
	}
	t.Run("row conservation passes when balanced", func(t *testing.T) {
		if _, err := w.DB.ExecContext(ctx, "INSERT INTO gold.accounts VALUES ('A3', 'C1', 'open')"); err != nil {
			t.Fatal(err)
		}
		q, _ := SQL(&project.Test{Kind: project.RowConservation, Model: "accounts"}, rel)
		res, err := Run(ctx, w.DB, q)
		if err != nil || res.Failures != 0 {
			t.Fatalf("failures = %d, err %v", res.Failures, err)
		}
	})
	t.Run("unknown kind", func(t *testing.T) {
		if _, err := SQL(&project.Test{Kind: "nope"}, rel); err == nil || !strings.Contains(err.Error(), "nope") {
			t.Fatalf("err = %v", err)
		}
	})
}
