// Package migrate owns the warehouse schema's version history: it applies and
// rolls back the project's goose SQL migrations on DuckDB and writes new
// migration files.
package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"time"

	"github.com/pressly/goose/v3"
)

// ErrNoMigrations is returned by New when fsys holds no migration files.
var ErrNoMigrations = goose.ErrNoMigrations

// Applied is one migration that ran, in either direction.
type Applied struct {
	Version  int64
	File     string
	Duration time.Duration
	// Empty is true when the file had no statements for that direction.
	Empty bool
}

// Status is one migration file and whether the database has it.
type Status struct {
	Version   int64
	File      string
	Applied   bool
	AppliedAt time.Time // zero unless Applied
}

// Error reports a migration that failed. goose runs each migration in its own
// transaction, so the database stays at the version before that file.
type Error struct {
	Version   int64
	File      string
	Direction string // "up" or "down"
	// Err is the database error; errors.As also reaches goose's PartialError.
	Err     error
	partial *goose.PartialError
}

func (e *Error) Error() string {
	return fmt.Sprintf("migration %s (%s): %v", e.File, e.Direction, e.Err)
}

func (e *Error) Unwrap() error { return e.partial }

// Migrator applies the migrations in one file system to one database.
type Migrator struct {
	provider *goose.Provider
	logger   *slog.Logger
}

// New prepares a migrator for the .sql files at the root of fsys. Files are
// parsed lazily, so a malformed file is reported by Up or Down, naming it.
// A nil logger means silent.
func New(db *sql.DB, fsys fs.FS, logger *slog.Logger) (*Migrator, error) {
	if db == nil {
		return nil, errors.New("migrate: nil database")
	}
	if fsys == nil {
		return nil, errors.New("migrate: nil migration file system")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	p, err := goose.NewProvider(goose.DialectCustom, db, fsys,
		goose.WithStore(Store{}),
		// Go migrations registered elsewhere in the binary are not ours.
		goose.WithDisableGlobalRegistry(true),
		// goose's default logger writes to stderr; we log results ourselves.
		goose.WithSlog(slog.New(slog.DiscardHandler)),
		goose.WithVerbose(false),
	)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return &Migrator{provider: p, logger: logger}, nil
}

// Up applies every pending migration in version order. On failure it returns
// the migrations applied before the failing one together with an *Error.
func (m *Migrator) Up(ctx context.Context) ([]Applied, error) {
	res, err := m.provider.Up(ctx)
	if err != nil {
		var pe *goose.PartialError
		if errors.As(err, &pe) {
			done := m.record(ctx, pe.Applied)
			return done, failure(pe)
		}
		return nil, fmt.Errorf("migrate up: %w", err)
	}
	return m.record(ctx, res), nil
}

// Down rolls back the most recently applied migration. It returns nil and no
// error when nothing is applied.
func (m *Migrator) Down(ctx context.Context) (*Applied, error) {
	res, err := m.provider.Down(ctx)
	if errors.Is(err, goose.ErrNoNextVersion) {
		return nil, nil
	}
	if err != nil {
		var pe *goose.PartialError
		if errors.As(err, &pe) {
			return nil, failure(pe)
		}
		return nil, fmt.Errorf("migrate down: %w", err)
	}
	done := m.record(ctx, []*goose.MigrationResult{res})
	return &done[0], nil
}

// Status lists every migration file in version order with its state. Like
// every other call it creates the version table when it is missing.
func (m *Migrator) Status(ctx context.Context) ([]Status, error) {
	list, err := m.provider.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate status: %w", err)
	}
	out := make([]Status, 0, len(list))
	for _, s := range list {
		st := Status{
			Version: s.Source.Version,
			File:    path.Base(s.Source.Path),
			Applied: s.State == goose.StateApplied,
		}
		if st.Applied {
			st.AppliedAt = s.AppliedAt.UTC()
		}
		out = append(out, st)
	}
	return out, nil
}

// Pending reports whether Up would apply anything. A file numbered below an
// applied version is an error, since goose refuses out-of-order migrations.
func (m *Migrator) Pending(ctx context.Context) (bool, error) {
	ok, err := m.provider.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("migrate pending: %w", err)
	}
	return ok, nil
}

// Version is the highest applied version; 0 when none is.
func (m *Migrator) Version(ctx context.Context) (int64, error) {
	v, err := m.provider.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate version: %w", err)
	}
	return v, nil
}

func (m *Migrator) record(ctx context.Context, res []*goose.MigrationResult) []Applied {
	out := make([]Applied, 0, len(res))
	for _, r := range res {
		a := Applied{
			Version:  r.Source.Version,
			File:     path.Base(r.Source.Path),
			Duration: r.Duration,
			Empty:    r.Empty,
		}
		m.logger.InfoContext(ctx, "migration "+r.Direction,
			"version", a.Version, "file", a.File, "duration", a.Duration, "empty", a.Empty)
		out = append(out, a)
	}
	return out
}

func failure(pe *goose.PartialError) *Error {
	return &Error{
		Version:   pe.Failed.Source.Version,
		File:      path.Base(pe.Failed.Source.Path),
		Direction: pe.Failed.Direction,
		Err:       pe.Err,
		partial:   pe,
	}
}
