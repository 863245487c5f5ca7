package migrate

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"

	"etlrunner/etl/warehouse"
)

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	w, err := warehouse.Open(context.Background(), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w.DB
}

func file(up, down string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("-- +goose Up\n" + up + "\n-- +goose Down\n" + down + "\n")}
}

func threeFiles() fstest.MapFS {
	return fstest.MapFS{
		"00001_a.sql": file("CREATE TABLE a (id INTEGER);", "DROP TABLE a;"),
		"00002_b.sql": file("CREATE TABLE b (id INTEGER);\nINSERT INTO b VALUES (1), (2);", "DROP TABLE b;"),
		// StatementBegin/End keeps a body with inner semicolons as one statement.
		"00003_c.sql": file("-- +goose StatementBegin\nCREATE VIEW c AS SELECT id * 2 AS id FROM b WHERE ';' = ';';\n-- +goose StatementEnd",
			"DROP VIEW c;"),
		"README.md": &fstest.MapFile{Data: []byte("not a migration")},
	}
}

func newMigrator(t *testing.T, db *sql.DB, fsys fstest.MapFS) *Migrator {
	t.Helper()
	m, err := New(db, fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func exists(t *testing.T, db *sql.DB, schema, name string) bool {
	t.Helper()
	kind, err := warehouse.RelationKind(context.Background(), db, schema, name)
	if err != nil {
		t.Fatal(err)
	}
	return kind != ""
}

func versions(as []Applied) []int64 {
	out := []int64{}
	for _, a := range as {
		out = append(out, a.Version)
	}
	return out
}

func currentVersion(t *testing.T, m *Migrator) int64 {
	t.Helper()
	v, err := m.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestUpDownStatus(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	m := newMigrator(t, db, threeFiles())

	t.Run("pending before up", func(t *testing.T) {
		p, err := m.Pending(ctx)
		if err != nil || !p {
			t.Fatalf("Pending = %v, %v; want true", p, err)
		}
		st, err := m.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range st {
			if s.Applied || !s.AppliedAt.IsZero() {
				t.Errorf("%s applied before up: %+v", s.File, s)
			}
		}
		if !exists(t, db, Schema, Table) {
			t.Error("version table not created")
		}
	})

	t.Run("up from empty", func(t *testing.T) {
		got, err := m.Up(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(versions(got), []int64{1, 2, 3}) {
			t.Fatalf("applied %v, want 1,2,3", versions(got))
		}
		if got[1].File != "00002_b.sql" || got[1].Empty {
			t.Errorf("second applied = %+v", got[1])
		}
		for _, name := range []string{"a", "b", "c"} {
			if !exists(t, db, "main", name) {
				t.Errorf("main.%s missing", name)
			}
		}
		var sum int
		if err := db.QueryRowContext(ctx, "SELECT sum(id) FROM c").Scan(&sum); err != nil || sum != 6 {
			t.Errorf("sum(c.id) = %d, %v; want 6", sum, err)
		}
		if v := currentVersion(t, m); v != 3 {
			t.Errorf("version = %d, want 3", v)
		}
	})

	t.Run("second up applies nothing", func(t *testing.T) {
		got, err := m.Up(ctx)
		if err != nil || len(got) != 0 {
			t.Fatalf("Up = %v, %v; want nothing", got, err)
		}
		p, err := m.Pending(ctx)
		if err != nil || p {
			t.Fatalf("Pending = %v, %v; want false", p, err)
		}
	})

	t.Run("status lists every file applied", func(t *testing.T) {
		st, err := m.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"00001_a.sql", "00002_b.sql", "00003_c.sql"}
		if len(st) != len(want) {
			t.Fatalf("status = %+v", st)
		}
		for i, s := range st {
			if s.File != want[i] || s.Version != int64(i+1) || !s.Applied || s.AppliedAt.IsZero() {
				t.Errorf("status[%d] = %+v", i, s)
			}
			if s.AppliedAt.Location().String() != "UTC" {
				t.Errorf("applied at %v not UTC", s.AppliedAt)
			}
		}
	})

	t.Run("down rolls back the latest", func(t *testing.T) {
		got, err := m.Down(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got == nil || got.Version != 3 || got.File != "00003_c.sql" {
			t.Fatalf("Down = %+v", got)
		}
		if exists(t, db, "main", "c") || !exists(t, db, "main", "b") {
			t.Error("down removed the wrong relations")
		}
		st, err := m.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st[2].Applied || !st[1].Applied {
			t.Errorf("status after down = %+v", st)
		}
		if v := currentVersion(t, m); v != 2 {
			t.Errorf("version = %d, want 2", v)
		}
	})

	t.Run("down to nothing then nil", func(t *testing.T) {
		for _, want := range []int64{2, 1} {
			got, err := m.Down(ctx)
			if err != nil || got == nil || got.Version != want {
				t.Fatalf("Down = %+v, %v; want version %d", got, err, want)
			}
		}
		got, err := m.Down(ctx)
		if err != nil || got != nil {
			t.Fatalf("Down with nothing applied = %+v, %v; want nil, nil", got, err)
		}
		if exists(t, db, "main", "a") {
			t.Error("main.a survived")
		}
	})

	t.Run("up again after full rollback", func(t *testing.T) {
		got, err := m.Up(ctx)
		if err != nil || !slices.Equal(versions(got), []int64{1, 2, 3}) {
			t.Fatalf("Up = %v, %v", versions(got), err)
		}
	})
}

func TestNew(t *testing.T) {
	db := openDB(t)
	tests := []struct {
		name string
		db   *sql.DB
		fsys fstest.MapFS
		want error
	}{
		{"no files", db, fstest.MapFS{"notes.txt": &fstest.MapFile{}}, ErrNoMigrations},
		{"nil db", nil, threeFiles(), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.db, tc.fsys, nil)
			if err == nil {
				t.Fatal("New succeeded")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v is not %v", err, tc.want)
			}
		})
	}
}

// A second process opening the same file must see the recorded history.
func TestHistorySurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wh.duckdb")
	for i, wantApplied := range []int{3, 0} {
		w, err := warehouse.Open(ctx, warehouse.Options{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		m := newMigrator(t, w.DB, threeFiles())
		got, err := m.Up(ctx)
		if err != nil || len(got) != wantApplied {
			t.Errorf("open %d: Up = %v, %v; want %d applied", i, versions(got), err, wantApplied)
		}
		st, err := m.Status(ctx)
		if err != nil || len(st) != 3 || !st[2].Applied {
			t.Errorf("open %d: Status = %+v, %v", i, st, err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
