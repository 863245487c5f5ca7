package datatest

import (
	"context"
	"testing"

	"etlrunner/etl/project"
	"etlrunner/etl/warehouse"
)

// With a batch, row tests see only the batch's rows, unique counts the
// batch's keys over the whole model, and relationships checks the batch
// against the parent only when the parent kept its keys.
func TestBatchScope(t *testing.T) {
	ctx := context.Background()
	w := openWith(t,
		"CREATE SCHEMA gold",
		"CREATE SCHEMA etl_batch",
		// Old rows hold problems a full check finds: a NULL, a bad status,
		// a duplicate key and an orphan customer.
		"CREATE TABLE gold.accounts AS SELECT * FROM (VALUES ('A1', 'C1', 'open'), ('A1', 'C1', 'open'), (NULL, 'C9', 'bad'), ('A2', 'C2', 'open'), ('A3', 'C1', 'open')) t(account, customer, status)",
		// This run added A2 and A3, both already in the model as they should be.
		"CREATE TABLE etl_batch.accounts AS SELECT * FROM (VALUES ('A2', 'C2', 'open'), ('A3', 'C1', 'open')) t(account, customer, status)",
		"CREATE TABLE gold.customers AS SELECT * FROM (VALUES ('C1')) t(customer)",
		"CREATE TABLE etl_batch.customers AS SELECT * FROM gold.customers LIMIT 0",
	)
	var parent Change
	rel := Relations{
		Model: func(n string) string { return warehouse.Qualified("gold", n) },
		Batch: func(n string) string { return warehouse.Qualified("etl_batch", n) },
		Changes: func(n string) Change {
			if n == "customers" {
				return parent
			}
			return Change{}
		},
	}
	lostKeys := Change{Added: warehouse.Qualified("etl_batch", "customers"), Key: []string{"id"}}
	cases := []struct {
		name          string
		test          project.Test
		parent        Change
		whole, scoped int64
	}{
		{"not_null reads the batch", project.Test{Kind: project.NotNull, Column: "account"}, Change{}, 1, 0},
		{"accepted_values reads the batch", project.Test{Kind: project.AcceptedValues, Column: "status", Values: []string{"open"}, Quote: true}, Change{}, 1, 0},
		{"expression_is_true reads the batch", project.Test{Kind: project.ExpressionIsTrue, Expression: "status = 'open'"}, Change{}, 1, 0},
		{"unique counts only the batch's keys", project.Test{Kind: project.Unique, Column: "account"}, Change{}, 1, 0},
		// The batch's C2 has no parent: found in both scopes.
		{"relationships checks the batch", project.Test{Kind: project.Relationships, Column: "customer", To: "customers", Field: "customer"}, Change{}, 2, 1},
		{"relationships checks everything when the parent was rebuilt", project.Test{Kind: project.Relationships, Column: "customer", To: "customers", Field: "customer"}, Change{Rebuilt: true}, 2, 2},
		{"relationships checks everything when the parent replaced rows by another key", project.Test{Kind: project.Relationships, Column: "customer", To: "customers", Field: "customer"}, lostKeys, 2, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.test.Model = "accounts"
			parent = tc.parent
			for _, scope := range []struct {
				batch func(string) string
				want  int64
			}{{nil, tc.whole}, {rel.Batch, tc.scoped}} {
				r := rel
				r.Batch = scope.batch
				q, err := SQL(&tc.test, r)
				if err != nil {
					t.Fatal(err)
				}
				res, err := Run(ctx, w.DB, q)
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				if res.Failures != scope.want {
					t.Errorf("batch %v: failures = %d, want %d (%s)", scope.batch != nil, res.Failures, scope.want, q)
				}
			}
		})
	}
	t.Run("unique finds a batch key that duplicates an old row", func(t *testing.T) {
		if _, err := w.DB.ExecContext(ctx, "INSERT INTO etl_batch.accounts VALUES ('A1', 'C1', 'open')"); err != nil {
			t.Fatal(err)
		}
		q, err := SQL(&project.Test{Kind: project.Unique, Column: "account", Model: "accounts"}, rel)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(ctx, w.DB, q)
		if err != nil || res.Failures != 1 || len(res.Sample) < 2 || res.Sample[1] != "A1 | 2" {
			t.Fatalf("failures = %d, sample %q, err %v", res.Failures, res.Sample, err)
		}
	})
}

// A relationships test of new child rows looks in the parent's new rows
// first and in the whole parent for the keys they lack; unique reads only
// the batch when the run replaced rows by the tested key.
func TestBatchShortcuts(t *testing.T) {
	ctx := context.Background()
	w := openWith(t,
		"CREATE SCHEMA gold",
		"CREATE SCHEMA etl_batch",
		"CREATE TABLE gold.customers AS SELECT * FROM (VALUES ('C1'), ('C2')) t(customer)",
		"CREATE TABLE etl_batch.customers AS SELECT * FROM (VALUES ('C2')) t(customer)",
		// An old duplicate the batch-only unique does not see: the run
		// replaced rows by account, so it cannot exist in a real table.
		"CREATE TABLE gold.accounts AS SELECT * FROM (VALUES ('A1', 'C1'), ('A1', 'C1'), ('A2', 'C2'), ('A3', 'C1'), ('A4', 'C3'), ('A4', 'C3')) t(account, customer)",
		"CREATE TABLE etl_batch.accounts AS SELECT * FROM (VALUES ('A2', 'C2'), ('A3', 'C1'), ('A4', 'C3'), ('A4', 'C3')) t(account, customer)",
	)
	changes := map[string]Change{
		"customers": {Added: warehouse.Qualified("etl_batch", "customers")},
		"accounts":  {Added: warehouse.Qualified("etl_batch", "accounts"), Key: []string{"account"}},
	}
	rel := Relations{
		Model:   func(n string) string { return warehouse.Qualified("gold", n) },
		Batch:   func(n string) string { return warehouse.Qualified("etl_batch", n) },
		Changes: func(n string) Change { return changes[n] },
	}
	cases := []struct {
		name   string
		test   project.Test
		want   int64
		sample string
	}{
		// C2 is among the parent's new rows, C1 only in the parent, C3 nowhere.
		{"relationships", project.Test{Kind: project.Relationships, Column: "customer", To: "customers", Field: "customer"}, 1, "C3 | 2"},
		// A4 twice in the batch; the old A1 pair is not looked at.
		{"unique", project.Test{Kind: project.Unique, Column: "account"}, 1, "A4 | 2"},
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
			if res.Failures != tc.want || len(res.Sample) != 2 || res.Sample[1] != tc.sample {
				t.Fatalf("failures = %d, sample %q (%s)", res.Failures, res.Sample, q)
			}
		})
	}
}
