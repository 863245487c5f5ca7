package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	ucli "github.com/urfave/cli/v2"

	"etlrunner/etl/migrate"
	"etlrunner/etl/project"
	"etlrunner/etl/warehouse"
)

// migrateCommand manages the warehouse's migrations.
func migrateCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "migrate",
		Usage: "apply, roll back, list or create migrations in sql/migrations",
		Subcommands: []*ucli.Command{
			migrateSub("up", "apply every pending migration", func(c *ucli.Context, m *migrate.Migrator) error {
				applied, err := m.Up(c.Context)
				for _, a := range applied {
					fmt.Fprintf(c.App.Writer, "applied %s in %s\n", a.File, a.Duration.Round(time.Millisecond))
				}
				if err == nil && len(applied) == 0 {
					fmt.Fprintln(c.App.Writer, "no pending migrations")
				}
				return err
			}),
			migrateSub("down", "roll back the latest migration", func(c *ucli.Context, m *migrate.Migrator) error {
				a, err := m.Down(c.Context)
				if err == nil && a == nil {
					fmt.Fprintln(c.App.Writer, "nothing to roll back")
				} else if a != nil {
					fmt.Fprintf(c.App.Writer, "rolled back %s\n", a.File)
				}
				return err
			}),
			migrateSub("status", "list migrations and whether each is applied", func(c *ucli.Context, m *migrate.Migrator) error {
				st, err := m.Status(c.Context)
				for _, s := range st {
					when := "pending"
					if s.Applied {
						when = "applied " + s.AppliedAt.Format(time.RFC3339)
					}
					fmt.Fprintf(c.App.Writer, "%-40s %s\n", s.File, when)
				}
				return err
			}),
			{
				Name:      "create",
				Usage:     "write a new empty migration file",
				ArgsUsage: "NAME",
				Flags:     projectFlags(),
				Action: func(c *ucli.Context) error {
					if c.NArg() != 1 {
						return fmt.Errorf("migrate create needs one NAME")
					}
					p, err := migrate.Create(c.Context, filepath.Join(c.String("project-dir"), project.MigrationsDir), c.Args().First(), time.Now())
					if err != nil {
						return err
					}
					fmt.Fprintf(c.App.Writer, "created %s\n", p)
					return nil
				},
			},
		},
	}
}

// migrateSub opens the warehouse without applying migrations and hands a
// migrator to fn.
func migrateSub(name, usage string, fn func(*ucli.Context, *migrate.Migrator) error) *ucli.Command {
	return &ucli.Command{
		Name:  name,
		Usage: usage,
		Flags: projectFlags(),
		Action: func(c *ucli.Context) error {
			dir, proj, err := loadSettings(c)
			if err != nil {
				return err
			}
			lock, path, err := lockWarehouse(dir, &proj.Settings, "migrate "+name)
			if err != nil {
				return err
			}
			defer lock.Release()
			wh, err := warehouse.Open(c.Context, warehouse.Options{Path: path, MemoryLimit: proj.MemoryLimit})
			if err != nil {
				return err
			}
			defer wh.Close()
			m, err := migrate.New(wh.DB, os.DirFS(filepath.Join(dir, project.MigrationsDir)), nil)
			if err != nil {
				return err
			}
			return fn(c, m)
		},
	}
}
