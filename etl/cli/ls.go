package cli

import (
	"encoding/json"
	"fmt"
	"sort"

	ucli "github.com/urfave/cli/v2"

	"etlrunner/etl/plan"
)

// lsCommand lists the nodes of the project.
func lsCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "ls",
		Usage: "list seeds, models and tests (with --select), as text or JSON lines",
		Flags: flags(projectFlags(), selectFlags(), []ucli.Flag{
			&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text or json"},
			&ucli.StringFlag{Name: "resource-type", Usage: "only seed, model or test"},
		}),
		Action: func(c *ucli.Context) error {
			l, selected, err := loadSelected(c)
			if err != nil {
				return err
			}
			kind := plan.Kind(c.String("resource-type"))
			var ids []string
			for id, n := range l.plan.Nodes {
				if selected[id] && (kind == "" || n.Kind == kind) {
					ids = append(ids, id)
				}
			}
			sort.Strings(ids)
			enc := json.NewEncoder(c.App.Writer)
			for _, id := range ids {
				n := l.plan.Nodes[id]
				if c.String("output") == "json" {
					if err := enc.Encode(lsEntry(l.plan, n)); err != nil {
						return err
					}
					continue
				}
				fmt.Fprintf(c.App.Writer, "%-6s %-48s %s\n", n.Kind, display(n), n.File)
			}
			return nil
		},
	}
}

// display is a node's relation (or name, for tests).
func display(n *plan.Node) string {
	switch n.Kind {
	case plan.ModelNode:
		return n.Relation.Schema + "." + n.Relation.Name
	case plan.SeedNode:
		return n.Seed.Table
	}
	return n.Name
}

func lsEntry(pl *plan.Plan, n *plan.Node) map[string]any {
	e := map[string]any{
		"unique_id": n.ID, "resource_type": n.Kind, "name": n.Name, "original_file_path": n.File,
		"depends_on": map[string]any{"nodes": pl.Graph.Deps(n.ID)},
	}
	switch n.Kind {
	case plan.ModelNode:
		e["relation_name"] = display(n)
		e["config"] = n.Config
	case plan.SeedNode:
		e["relation_name"] = n.Seed.Table
		e["path"] = n.PatternText()
	}
	return e
}
