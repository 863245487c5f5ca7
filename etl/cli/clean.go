package cli

import (
	"etlrunner/etl/project"
	"fmt"
	"os"

	ucli "github.com/urfave/cli/v2"
)

// cleanCommand removes what runs produce: the target folder (warehouse,
// artifacts, compiled SQL) and the output folder.
func cleanCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "clean",
		Usage: "delete the target folder (warehouse included) and the output folder",
		Flags: projectFlags(),
		Action: func(c *ucli.Context) error {
			dir, proj, err := loadSettings(c)
			if err != nil {
				return err
			}
			lock, _, err := lockWarehouse(dir, &proj.Settings, "clean")
			if err != nil {
				return err
			}
			defer lock.Release()
			for _, p := range []string{proj.TargetDir, proj.OutputDir, proj.Warehouse, proj.Warehouse + ".wal"} {
				if err := os.RemoveAll(project.Resolve(dir, p)); err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "removed %s\n", p)
			}
			return nil
		},
	}
}
