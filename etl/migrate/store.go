package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/pressly/goose/v3/database"
)

// Where goose records applied versions. The schema is shared with the
// runner's other bookkeeping tables.
const (
	Schema = "etl_meta"
	Table  = "schema_migrations"
)

const (
	qualifiedTable = Schema + "." + Table
	sequence       = Schema + "." + Table + "_id"
)

// Store keeps goose's version history in DuckDB. goose ships no DuckDB
// dialect, and the Postgres one relies on identity columns DuckDB lacks.
type Store struct{}

var _ database.StoreExtender = Store{}

// Tablename names the version table.
func (Store) Tablename() string { return qualifiedTable }

// CreateVersionTable creates the schema, the id sequence and the table. goose
// calls it inside a transaction, so a failure leaves nothing half made. The
// table itself is created without IF NOT EXISTS so that a concurrent creator
// surfaces as an error goose retries instead of a second zero row.
func (Store) CreateVersionTable(ctx context.Context, db database.DBTxConn) error {
	stmts := []string{
		"CREATE SCHEMA IF NOT EXISTS " + Schema,
		"CREATE SEQUENCE IF NOT EXISTS " + sequence,
		// Ordering by a sequence id rather than tstamp matters: now() is the
		// transaction start, so two rows can share a timestamp.
		`CREATE TABLE ` + qualifiedTable + ` (
			id         BIGINT PRIMARY KEY DEFAULT nextval('` + sequence + `'),
			version_id BIGINT NOT NULL,
			is_applied BOOLEAN NOT NULL,
			tstamp     TIMESTAMPTZ NOT NULL DEFAULT now()
		)`,
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create version table %s: %w", qualifiedTable, err)
		}
	}
	return nil
}

// Insert records version as applied.
func (Store) Insert(ctx context.Context, db database.DBTxConn, req database.InsertRequest) error {
	q := "INSERT INTO " + qualifiedTable + " (version_id, is_applied) VALUES (?, true)"
	if _, err := db.ExecContext(ctx, q, req.Version); err != nil {
		return fmt.Errorf("record version %d: %w", req.Version, err)
	}
	return nil
}

// Delete forgets version, as goose does after rolling it back.
func (Store) Delete(ctx context.Context, db database.DBTxConn, version int64) error {
	q := "DELETE FROM " + qualifiedTable + " WHERE version_id = ?"
	if _, err := db.ExecContext(ctx, q, version); err != nil {
		return fmt.Errorf("forget version %d: %w", version, err)
	}
	return nil
}

// GetMigration returns the latest record of version or
// database.ErrVersionNotFound.
func (Store) GetMigration(ctx context.Context, db database.DBTxConn, version int64) (*database.GetMigrationResult, error) {
	q := "SELECT tstamp, is_applied FROM " + qualifiedTable + " WHERE version_id = ? ORDER BY id DESC LIMIT 1"
	var res database.GetMigrationResult
	err := db.QueryRowContext(ctx, q, version).Scan(&res.Timestamp, &res.IsApplied)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("version %d: %w", version, database.ErrVersionNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read version %d: %w", version, err)
	}
	res.Timestamp = res.Timestamp.UTC()
	return &res, nil
}

// GetLatestVersion returns the highest recorded version or
// database.ErrVersionNotFound when the table is empty.
func (Store) GetLatestVersion(ctx context.Context, db database.DBTxConn) (int64, error) {
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT max(version_id) FROM "+qualifiedTable).Scan(&v); err != nil {
		return -1, fmt.Errorf("read latest version: %w", err)
	}
	if !v.Valid {
		return -1, database.ErrVersionNotFound
	}
	return v.Int64, nil
}

// ListMigrations returns every record, most recently applied first; goose
// rolls back in that order.
func (Store) ListMigrations(ctx context.Context, db database.DBTxConn) ([]*database.ListMigrationsResult, error) {
	rows, err := db.QueryContext(ctx, "SELECT version_id, is_applied FROM "+qualifiedTable+" ORDER BY id DESC")
	if err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	defer rows.Close()
	var out []*database.ListMigrationsResult
	for rows.Next() {
		var r database.ListMigrationsResult
		if err := rows.Scan(&r.Version, &r.IsApplied); err != nil {
			return nil, fmt.Errorf("list versions: %w", err)
		}
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	return out, nil
}

// TableExists lets goose check the catalog instead of probing the table with
// a query that would fail on a fresh database.
func (Store) TableExists(ctx context.Context, db database.DBTxConn) (bool, error) {
	var exists bool
	err := db.QueryRowContext(ctx, `
		SELECT count(*) > 0
		FROM information_schema.tables
		WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ?`,
		Schema, Table).Scan(&exists)
	if err != nil {
		return false, fmt.Errorf("look up %s: %w", qualifiedTable, err)
	}
	return exists, nil
}
