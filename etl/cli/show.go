package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v2"

	"etlrunner/etl/warehouse"
)

// showCommand prints the first rows of a model.
func showCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "show",
		Usage:     "print the first rows of a model as it is in the warehouse",
		ArgsUsage: "MODEL",
		Flags: flags(projectFlags(), []ucli.Flag{
			&ucli.IntFlag{Name: "limit", Value: 10, Usage: "rows to show"},
		}),
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("show needs exactly one model name")
			}
			l, err := load(c)
			if err != nil {
				return err
			}
			n := l.plan.Model(c.Args().First())
			if n == nil {
				return fmt.Errorf("unknown model %q", c.Args().First())
			}
			sess, err := l.open(c.Context, "show", nil, false)
			if err != nil {
				return err
			}
			defer sess.close()
			kind, err := warehouse.RelationKind(c.Context, sess.wh.DB, n.Relation.Schema, n.Relation.Name)
			if err != nil {
				return err
			}
			if kind == "" {
				return fmt.Errorf("model %s has not been built yet (run etl build or etl run --select %s)", n.Name, n.Name)
			}
			rows, err := sess.wh.DB.QueryContext(c.Context, fmt.Sprintf("SELECT COLUMNS(*)::VARCHAR FROM %s LIMIT %d", n.Relation, c.Int("limit")))
			if err != nil {
				return fmt.Errorf("model %s (%s): %w", n.Name, n.File, err)
			}
			cols, data, err := warehouse.TextRows(rows)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, strings.Join(cols, "\t"))
			for _, row := range data {
				fmt.Fprintln(tw, strings.Join(row, "\t"))
			}
			return tw.Flush()
		},
	}
}
