package materialize

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"etlrunner/etl/project"
)

// batches renders a model whose rows come from raw.batch: the full build
// reads every row, an incremental one only the rows newer than the target's.
type batches struct{ calls []bool }

func (b *batches) render(incremental bool) (string, error) {
	b.calls = append(b.calls, incremental)
	if incremental {
		return "SELECT * FROM raw.batch WHERE seq > (SELECT max(seq) FROM silver.orders)", nil
	}
	return "SELECT * FROM raw.batch", nil
}

func incrementalConfig(strategy string, key ...string) project.Config {
	return project.Config{Materialized: project.Incremental, IncrementalStrategy: strategy, UniqueKey: key}
}

func runIncremental(t *testing.T, conn *sql.Conn, c project.Config, full bool, b *batches) Result {
	t.Helper()
	res, err := Run(context.Background(), Request{Conn: conn, Relation: target, Config: c, Source: source, FullRefresh: full, Render: b.render})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestIncrementalAppend(t *testing.T) {
	conn := newConn(t)
	exec(t, conn, "CREATE TABLE raw.batch AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) t(seq, v)")
	b := &batches{}
	c := incrementalConfig("")
	steps := []struct {
		name    string
		insert  string // new landing rows before the step
		full    bool
		message string
		rows    int64
		calls   []bool
		want    []string
	}{
		{"first run builds the table", "", false, "CREATE TABLE", 2, []bool{false}, []string{"1|a", "2|b"}},
		{"second run appends", "(3, 'c'), (4, 'd')", false, "INSERT 2", 2, []bool{true}, []string{"1|a", "2|b", "3|c", "4|d"}},
		{"nothing new", "", false, "INSERT 0", 0, []bool{true}, []string{"1|a", "2|b", "3|c", "4|d"}},
		{"full refresh rebuilds", "(5, 'e')", true, "CREATE TABLE", 5, []bool{false}, []string{"1|a", "2|b", "3|c", "4|d", "5|e"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.insert != "" {
				exec(t, conn, "INSERT INTO raw.batch VALUES "+s.insert)
			}
			b.calls = nil
			res := runIncremental(t, conn, c, s.full, b)
			if res.Message != s.message || res.Rows != s.rows || res.Rejected != 0 {
				t.Errorf("result %+v", res)
			}
			if !slices.Equal(b.calls, s.calls) {
				t.Errorf("Render called with %v, want %v", b.calls, s.calls)
			}
			equal(t, "rows", rows(t, conn, "SELECT seq, v FROM silver.orders ORDER BY seq"), s.want)
		})
	}
	t.Run("the incremental SQL is reported", func(t *testing.T) {
		exec(t, conn, "INSERT INTO raw.batch VALUES (6, 'f')")
		res := runIncremental(t, conn, c, false, b)
		if !strings.Contains(res.SQL, "WHERE seq >") {
			t.Errorf("SQL = %q", res.SQL)
		}
		equal(t, "temporary tables left", rows(t, conn, "SELECT table_name FROM duckdb_tables() WHERE temporary"), nil)
	})
}

func TestIncrementalDeleteInsert(t *testing.T) {
	conn := newConn(t)
	exec(t, conn, `CREATE TABLE silver.orders AS SELECT * FROM (VALUES
		(1, 'x', 1, 'old'), (1, 'y', 1, 'old'), (2, NULL, 1, 'old'), (3, 'x', 1, 'old')) t(id, part, seq, v)`,
		// Rows for keys (1,'x') and (2,NULL) again, and a new key (4,'x').
		`CREATE TABLE raw.batch AS SELECT * FROM (VALUES
		(1, 'x', 2, 'new'), (2, NULL, 2, 'new'), (4, 'x', 2, 'new')) t(id, part, seq, v)`)
	b := &batches{}
	res := runIncremental(t, conn, incrementalConfig(project.DeleteInsert, "id", "part"), false, b)
	if res.Rows != 3 || res.Message != "INSERT 3" {
		t.Errorf("result %+v", res)
	}
	equal(t, "rows", rows(t, conn, "SELECT id, part, v FROM silver.orders ORDER BY id, part NULLS FIRST"),
		[]string{"1|x|new", "1|y|old", "2|NULL|new", "3|x|old", "4|x|new"})
}

// TestIncrementalRollback: when the insert fails after the delete, the
// deleted rows come back.
func TestIncrementalRollback(t *testing.T) {
	conn := newConn(t)
	exec(t, conn, "CREATE TABLE silver.orders AS SELECT 1 AS id, 'old' AS v, 1 AS seq",
		// a column the target lacks: INSERT BY NAME fails
		"CREATE TABLE raw.batch AS SELECT 1 AS id, 'new' AS v, 2 AS seq, 'surprise' AS extra")
	_, err := Run(context.Background(), Request{Conn: conn, Relation: target, Config: incrementalConfig(project.DeleteInsert, "id"),
		Render: (&batches{}).render})
	if err == nil || !strings.Contains(err.Error(), "extra") {
		t.Fatalf("error = %v", err)
	}
	equal(t, "rows", rows(t, conn, "SELECT id, v FROM silver.orders"), []string{"1|old"})
	equal(t, "temporary tables left", rows(t, conn, "SELECT table_name FROM duckdb_tables() WHERE temporary"), nil)
}

func TestIncrementalRejects(t *testing.T) {
	conn := newConn(t)
	exec(t, conn, landing,
		"ALTER TABLE raw.orders ADD COLUMN seq INT", "UPDATE raw.orders SET seq = 1")
	model := func(incremental bool) (string, error) {
		q := strings.Replace(typed, "_source_line,", "_source_line, seq,", 1)
		if incremental {
			q += " WHERE seq > (SELECT max(seq) FROM silver.orders)"
		}
		return q, nil
	}
	c := incrementalConfig("")
	rejects := true
	c.Rejects = &rejects
	run := func() Result {
		res, err := Run(context.Background(), Request{Conn: conn, Relation: target, Config: c, Source: source, Render: model})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	t.Run("first run", func(t *testing.T) {
		res := run()
		if res.Rows != 2 || res.Rejected != 2 || res.Message != "CREATE TABLE" {
			t.Errorf("result %+v", res)
		}
	})
	t.Run("second run appends rows and rejects", func(t *testing.T) {
		exec(t, conn, `INSERT INTO raw.orders VALUES ('9', '1', 'c.csv', 2, 2), ('?', '1', 'c.csv', 3, 2), ('8', '2', 'c.csv', 4, 2)`)
		res := run()
		if res.Rows != 2 || res.Rejected != 1 || res.Message != "INSERT 2" {
			t.Errorf("result %+v", res)
		}
		equal(t, "kept", rows(t, conn, "SELECT id FROM silver.orders ORDER BY id"), []string{"1", "3", "8", "9"})
		equal(t, "rejected", rows(t, conn, "SELECT id, _source_file, _reject_reason FROM silver.orders_rejects ORDER BY _source_file, _source_line"),
			[]string{"x|a.csv|bad id", "2|a.csv|bad amount", "?|c.csv|bad id"})
	})
}

// With delete+insert and rejects, a rejected new version of a key replaces
// nothing: the last good row of the key stays, the bad one is in rejects.
func TestIncrementalDeleteInsertKeepsGoodRowOverRejected(t *testing.T) {
	conn := newConn(t)
	exec(t, conn, landing, "ALTER TABLE raw.orders ADD COLUMN seq INT", "UPDATE raw.orders SET seq = 1")
	model := func(incremental bool) (string, error) {
		q := strings.Replace(typed, "_source_line,", "_source_line, seq,", 1)
		if incremental {
			q += " WHERE seq > (SELECT max(seq) FROM silver.orders)"
		}
		return q, nil
	}
	c := incrementalConfig(project.DeleteInsert, "id")
	rejects := true
	c.Rejects = &rejects
	run := func() Result {
		t.Helper()
		res, err := Run(context.Background(), Request{Conn: conn, Relation: target, Config: c, Source: source, Render: model})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	run()
	// Key 1 comes again with an amount that cannot be typed; key 3 comes with a good one.
	exec(t, conn, `INSERT INTO raw.orders VALUES ('1', 'oops', 'c.csv', 2, 2), ('3', '8', 'c.csv', 3, 2)`)
	res := run()
	if res.Rows != 1 || res.Rejected != 1 {
		t.Errorf("result %+v", res)
	}
	equal(t, "kept", rows(t, conn, "SELECT id, CAST(amount AS VARCHAR) FROM silver.orders ORDER BY id"), []string{"1|10.50", "3|8.00"})
}

// Turning rejects on for an incremental model that was built without them
// rebuilds it once, since there is no rejects table to append to yet.
func TestIncrementalRejectsTurnedOnLater(t *testing.T) {
	conn := newConn(t)
	exec(t, conn, landing, "ALTER TABLE raw.orders ADD COLUMN seq INT", "UPDATE raw.orders SET seq = 1")
	plain := func(bool) (string, error) {
		return "SELECT TRY_CAST(id AS INT) AS id, seq, _source_file, _source_line FROM raw.orders WHERE TRY_CAST(id AS INT) IS NOT NULL", nil
	}
	if _, err := Run(context.Background(), Request{Conn: conn, Relation: target, Config: incrementalConfig(""), Render: plain}); err != nil {
		t.Fatal(err)
	}
	c := incrementalConfig("")
	rejects := true
	c.Rejects = &rejects
	withRejects := func(bool) (string, error) {
		return strings.Replace(typed, "_source_line,", "_source_line, seq,", 1), nil
	}
	res, err := Run(context.Background(), Request{Conn: conn, Relation: target, Config: c, Source: source, Render: withRejects})
	if err != nil {
		t.Fatal(err)
	}
	if res.Message != "CREATE TABLE" || res.Rows != 2 || res.Rejected != 2 {
		t.Errorf("result %+v", res)
	}
}

// batch: key replaces every row of the keys a run names, including those
// the query no longer returns, and leaves the rows it deleted aside for
// the models that read it.
func TestIncrementalReplacesNamedKeys(t *testing.T) {
	conn := newConn(t)
	exec(t, conn, "CREATE TABLE raw.batch AS SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) t(seq, v)")
	c := project.Config{Materialized: project.Incremental, Batch: project.BatchKey, UniqueKey: []string{"seq"}}
	full := func(bool) (string, error) { return "SELECT * FROM raw.batch", nil }
	if _, err := Run(context.Background(), Request{Conn: conn, Relation: target, Config: c, Render: full}); err != nil {
		t.Fatal(err)
	}
	// Key 1 changes, key 2 disappears from the input, key 4 is new.
	exec(t, conn, "DELETE FROM raw.batch WHERE seq IN (1, 2)")
	exec(t, conn, "INSERT INTO raw.batch VALUES (1, 'A'), (4, 'd')")
	exec(t, conn, "CREATE TEMP TABLE keys AS SELECT * FROM (VALUES (1), (2), (4)) t(seq)")
	batch := func(bool) (string, error) {
		return "SELECT * FROM raw.batch WHERE seq IN (SELECT seq FROM keys)", nil
	}
	res, err := Run(context.Background(), Request{Conn: conn, Relation: target, Config: c, Render: batch, Keys: "keys"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Batch || !res.Deleted || res.Rows != 2 {
		t.Errorf("result %+v", res)
	}
	equal(t, "rows", rows(t, conn, "SELECT seq, v FROM silver.orders ORDER BY seq"), []string{"1|A", "3|c", "4|d"})
	equal(t, "deleted", rows(t, conn, "SELECT seq, v FROM "+DeletedRelation(target).String()+" ORDER BY seq"), []string{"1|a", "2|b"})
	equal(t, "batch", rows(t, conn, "SELECT seq, v FROM "+BatchRelation(target).String()+" ORDER BY seq"), []string{"1|A", "4|d"})
}
