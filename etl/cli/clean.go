package cli

import (
	"fmt"
	"os"
	"path/filepath"

	ucli "github.com/urfave/cli/v2"

	"etlrunner/etl/project"
	"etlrunner/etl/warehouse"
)

// cleanCommand removes what runs produce: the target folder (warehouse,
// artifacts, compiled SQL) and the output folder.
func cleanCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "clean",
		Usage: "delete the target folder (warehouse included) and the output folder",
		Flags: projectFlags(),
		Action: func(c *ucli.Context) error {
			dir := c.String("project-dir")
			proj, err := project.Load(os.DirFS(dir))
			if err != nil {
				return err
			}
			wh := filepath.Join(dir, proj.Warehouse)
			lock, err := warehouse.AcquireLock(wh+".lock", "etl clean")
			if err != nil {
				return err
			}
			defer lock.Release()
			for _, p := range []string{proj.TargetDir, proj.OutputDir, proj.Warehouse, proj.Warehouse + ".wal"} {
				if err := os.RemoveAll(filepath.Join(dir, p)); err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "removed %s\n", p)
			}
			return nil
		},
	}
}
