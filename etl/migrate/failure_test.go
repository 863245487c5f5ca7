package migrate

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/pressly/goose/v3"
)

func TestBrokenMigration(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name        string
		broken      *fstest.MapFile
		wantApplied []int64
		wantInErr   string
	}{
		{
			name:        "missing table after ddl",
			broken:      file("CREATE TABLE x (id INTEGER);\nINSERT INTO no_such_table VALUES (1);", "DROP TABLE x;"),
			wantApplied: []int64{1, 2},
			wantInErr:   "no_such_table",
		},
		{
			name:        "syntax error",
			broken:      file("CREATE TABLE x (id INTEGER);\nCREAT TABLE y (id INTEGER);", "DROP TABLE x;"),
			wantApplied: []int64{1, 2},
			wantInErr:   "syntax error",
		},
		{
			name:        "schema and table then constraint",
			broken:      file("CREATE SCHEMA s;\nCREATE TABLE x (id INTEGER NOT NULL);\nINSERT INTO x VALUES (NULL);", "DROP TABLE x;"),
			wantApplied: []int64{1, 2},
			wantInErr:   "NOT NULL",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t)
			fsys := threeFiles()
			delete(fsys, "00003_c.sql")
			fsys["00003_broken.sql"] = tc.broken
			fsys["00004_after.sql"] = file("CREATE TABLE after (id INTEGER);", "DROP TABLE after;")
			m := newMigrator(t, db, fsys)

			got, err := m.Up(ctx)
			if err == nil {
				t.Fatal("Up succeeded on a broken migration")
			}
			if !slices.Equal(versions(got), tc.wantApplied) {
				t.Errorf("applied before failure = %v, want %v", versions(got), tc.wantApplied)
			}
			if !strings.Contains(err.Error(), "00003_broken.sql") || !strings.Contains(err.Error(), tc.wantInErr) {
				t.Errorf("error %q does not name the file and cause %q", err, tc.wantInErr)
			}
			var me *Error
			if !errors.As(err, &me) || me.Version != 3 || me.File != "00003_broken.sql" || me.Direction != "up" {
				t.Errorf("errors.As *Error = %+v", me)
			}
			var pe *goose.PartialError
			if !errors.As(err, &pe) || pe.Failed.Source.Version != 3 {
				t.Errorf("errors.As *goose.PartialError failed: %v", err)
			}
			var de *duckdb.Error
			if !errors.As(err, &de) {
				t.Errorf("DuckDB error not wrapped: %T %v", err, err)
			}

			if v := currentVersion(t, m); v != 2 {
				t.Errorf("version after failure = %d, want 2", v)
			}
			for _, rel := range [][2]string{{"main", "x"}, {"main", "after"}} {
				if exists(t, db, rel[0], rel[1]) {
					t.Errorf("%s.%s left behind by the failed migration", rel[0], rel[1])
				}
			}
			var schemas int
			if err := db.QueryRowContext(ctx, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 's'").Scan(&schemas); err != nil || schemas != 0 {
				t.Errorf("schema s count = %d, %v; want 0", schemas, err)
			}
			if !exists(t, db, "main", "b") {
				t.Error("earlier migration lost")
			}
		})
	}
}

func TestBrokenDown(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	fsys := threeFiles()
	fsys["00003_c.sql"] = file("CREATE TABLE c (id INTEGER);", "DROP TABLE b;\nDROP TABLE no_such_table;")
	m := newMigrator(t, db, fsys)
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := m.Down(ctx)
	var me *Error
	if got != nil || !errors.As(err, &me) || me.File != "00003_c.sql" || me.Direction != "down" {
		t.Fatalf("Down = %+v, %v; want *Error naming 00003_c.sql", got, err)
	}
	if v := currentVersion(t, m); v != 3 {
		t.Errorf("version after failed down = %d, want 3", v)
	}
	if !exists(t, db, "main", "b") || !exists(t, db, "main", "c") {
		t.Error("failed down was not rolled back")
	}
}

func TestUnparsableFile(t *testing.T) {
	db := openDB(t)
	fsys := threeFiles()
	fsys["00004_bad.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE no_annotations (id INTEGER);\n")}
	m := newMigrator(t, db, fsys)
	got, err := m.Up(context.Background())
	if err == nil || !strings.Contains(err.Error(), "00004_bad.sql") {
		t.Fatalf("Up = %v, %v; want an error naming 00004_bad.sql", got, err)
	}
	// goose parses every pending file before running any of them.
	if v := currentVersion(t, m); v != 0 {
		t.Errorf("version = %d, want 0", v)
	}
}
