package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"etlrunner/etl/ingest"
	"etlrunner/etl/migrate"
	"etlrunner/etl/plan"
	"etlrunner/etl/project"
	"etlrunner/etl/warehouse"
)

// loaded is a project read and compiled from the command line's flags.
type loaded struct {
	dir  string
	proj *project.Project
	plan *plan.Plan
}

// load reads and compiles the project named by --project-dir and --vars.
func load(c *ucli.Context) (*loaded, error) {
	dir := c.String("project-dir")
	proj, err := project.Load(os.DirFS(dir))
	if err != nil {
		return nil, err
	}
	vars, err := project.ParseVars(c.String("vars"))
	if err != nil {
		return nil, err
	}
	pl, err := plan.Compile(c.Context, proj, plan.Options{Vars: vars, EnvVar: os.LookupEnv})
	if err != nil {
		return nil, err
	}
	return &loaded{dir: dir, proj: proj, plan: pl}, nil
}

// loadSelected loads the project and resolves --select and --exclude.
func loadSelected(c *ucli.Context) (*loaded, map[string]bool, error) {
	l, err := load(c)
	if err != nil {
		return nil, nil, err
	}
	selected, err := l.plan.Select(c.StringSlice("select"), c.StringSlice("exclude"))
	return l, selected, err
}

// loadSettings reads only the project, for commands that compile nothing.
func loadSettings(c *ucli.Context) (string, *project.Project, error) {
	dir := c.String("project-dir")
	proj, err := project.Load(os.DirFS(dir))
	return dir, proj, err
}

// lockWarehouse takes the run lock of the project's warehouse and returns
// the warehouse's path.
func lockWarehouse(dir string, s *project.Settings, command string) (*warehouse.Lock, string, error) {
	path := project.Resolve(dir, s.Warehouse)
	lock, err := warehouse.AcquireLock(path+".lock", "etl "+command)
	return lock, path, err
}

// path resolves a path of the project file.
func (l *loaded) path(p string) string { return project.Resolve(l.dir, p) }

// checkSeeds fails, before anything runs, when a selected seed matches no
// file.
func (l *loaded) checkSeeds(selected map[string]bool) error {
	var errs project.Errors
	for _, n := range l.plan.ByKind(plan.SeedNode) {
		if !selected[n.ID] {
			continue
		}
		_, files, err := ingest.FirstMatch(l.dir, n.Patterns)
		if err != nil {
			errs = append(errs, &project.Error{File: n.Seed.File, Line: n.Seed.Line, Msg: fmt.Sprintf("seed %s: %v", n.Name, err)})
			continue
		}
		if len(files) == 0 {
			errs = append(errs, &project.Error{File: n.Seed.File, Line: n.Seed.Line, Msg: fmt.Sprintf("seed %s: no file matches %s", n.Name, n.PatternText())})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// session is an open, locked and migrated warehouse.
type session struct {
	wh   *warehouse.Warehouse
	lock *warehouse.Lock
	// swept are the spill files of dead runs removed before opening.
	swept []warehouse.Leftover
}

func (s *session) close() {
	s.wh.Close()
	s.lock.Release()
}

// open locks the warehouse, opens it and applies pending migrations. With
// queryLog, DuckDB records every statement from the first migration on.
func (l *loaded) open(ctx context.Context, command string, logger *slog.Logger, queryLog bool) (*session, error) {
	return openWarehouse(ctx, l.dir, &l.proj.Settings, command, logger, queryLog)
}

func openWarehouse(ctx context.Context, dir string, s *project.Settings, command string, logger *slog.Logger, queryLog bool) (*session, error) {
	lock, path, err := lockWarehouse(dir, s, command)
	if err != nil {
		return nil, err
	}
	tempDir := project.Resolve(dir, s.TempDirectory)
	// Holding the lock and before DuckDB opens: a spill file is nobody's.
	swept, err := warehouse.SweepSpill(path, tempDir)
	if err != nil {
		lock.Release()
		return nil, err
	}
	wh, err := warehouse.Open(ctx, warehouse.Options{Path: path, MemoryLimit: s.MemoryLimit, TempDirectory: tempDir})
	if err != nil {
		lock.Release()
		return nil, err
	}
	sess := &session{wh: wh, lock: lock, swept: swept}
	if queryLog {
		if err := warehouse.EnableQueryLog(ctx, wh.DB); err != nil {
			sess.close()
			return nil, err
		}
	}
	m, err := migrate.New(wh.DB, os.DirFS(filepath.Join(dir, project.MigrationsDir)), logger)
	if err != nil {
		sess.close()
		return nil, fmt.Errorf("migrations: %w", err)
	}
	if _, err := m.Up(ctx); err != nil {
		sess.close()
		return nil, err
	}
	return sess, nil
}

// logger returns the library logger for --log-format: JSON lines on stdout
// beside the run's events, or nothing in text mode, where the node lines
// already say what happened.
func logger(c *ucli.Context) *slog.Logger {
	if strings.EqualFold(c.String("log-format"), "json") {
		return slog.New(slog.NewJSONHandler(c.App.Writer, nil))
	}
	return nil
}
