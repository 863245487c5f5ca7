package migrate

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
)

// The project's own migrations must apply to a fresh warehouse and roll all
// the way back.
func TestProjectMigrations(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	var logs bytes.Buffer
	m, err := New(db, os.DirFS("../../sql/migrations"), slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	tables := [][2]string{
		{"etl_meta", "runs"}, {"etl_meta", "file_ledger"},
		{"raw", "invoices"}, {"raw", "chatbot"},
	}

	applied, err := m.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) < 2 || applied[0].File != "00001_etl_metadata.sql" {
		t.Fatalf("applied = %+v", applied)
	}
	for _, tb := range tables {
		if !exists(t, db, tb[0], tb[1]) {
			t.Errorf("%s.%s missing after up", tb[0], tb[1])
		}
	}
	if !strings.Contains(logs.String(), "file=00001_etl_metadata.sql") {
		t.Errorf("logger did not record the applied file: %q", logs.String())
	}

	for i := len(applied); i > 0; i-- {
		if _, err := m.Down(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := m.Down(ctx); err != nil || got != nil {
		t.Fatalf("extra Down = %+v, %v", got, err)
	}
	for _, tb := range tables {
		if exists(t, db, tb[0], tb[1]) {
			t.Errorf("%s.%s left after rolling back", tb[0], tb[1])
		}
	}
	// The version table lives on: it is goose's, not a migration's.
	if !exists(t, db, Schema, Table) {
		t.Error("version table dropped")
	}
}
