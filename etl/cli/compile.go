package cli

import (
	"fmt"
	"os"
	"path/filepath"

	ucli "github.com/urfave/cli/v2"

	"etlrunner/etl/plan"
	"etlrunner/etl/report"
)

// compileCommand renders every selected model and test into the target
// folder without touching the warehouse.
func compileCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "compile",
		Usage: "render models and tests to <target>/compiled without running them",
		Flags: flags(projectFlags(), selectFlags()),
		Action: func(c *ucli.Context) error {
			l, selected, err := loadSelected(c)
			if err != nil {
				return err
			}
			target := l.path(l.proj.TargetDir)
			out := filepath.Join(target, "compiled")
			if err := os.RemoveAll(out); err != nil {
				return err
			}
			count := 0
			for _, n := range append(l.plan.ByKind(plan.ModelNode), l.plan.ByKind(plan.TestNode)...) {
				if !selected[n.ID] {
					continue
				}
				sql, err := compiledSQL(l.plan, n)
				if err != nil {
					return err
				}
				dest := filepath.Join(out, filepath.FromSlash(n.File))
				if n.Kind == plan.TestNode {
					dest = filepath.Join(out, "tests", n.Name+".sql")
				}
				if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(dest, []byte(sql+"\n"), 0o644); err != nil {
					return err
				}
				count++
			}
			if err := report.WriteManifest(target, "compile", "compile", l.plan); err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "Compiled %d nodes into %s\n", count, out)
			return nil
		},
	}
}

func compiledSQL(pl *plan.Plan, n *plan.Node) (string, error) {
	if n.Kind == plan.ModelNode {
		return n.SQL, nil
	}
	return pl.TestSQL(n)
}
