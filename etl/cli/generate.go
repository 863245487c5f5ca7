package cli

import (
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"etlrunner/etl/generate"
)

// generateCommand writes landing files for a business family.
func generateCommand() *ucli.Command {
	var names []string
	for _, f := range generate.Families() {
		names = append(names, fmt.Sprintf("%s (%s)", f.Name, f.Description))
	}
	return &ucli.Command{
		Name:      "generate",
		Usage:     "write deterministic landing files for a family: " + strings.Join(names, "; "),
		ArgsUsage: "FAMILY",
		Flags: []ucli.Flag{
			&ucli.IntFlag{Name: "rows", Usage: "size of the family's main input (default: the size of the project's seeds)"},
			&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed; the same seed gives the same files"},
			&ucli.StringFlag{Name: "out", Value: "seeds", Usage: "landing folder to write into"},
			&ucli.IntFlag{Name: "first-minute", Usage: "notifications: index of the first minute file, to add minutes after a history (0: the first)"},
			&ucli.IntFlag{Name: "minutes", Usage: "notifications: minute files to spread the rows over (default: one per 70,000 events, at least six)"},
			&ucli.BoolFlag{Name: "gzip", Usage: "notifications: gzip every minute file (default: every fifth)"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("generate needs one FAMILY")
			}
			opts := generate.Options{Rows: c.Int("rows"), Seed: c.Uint64("seed"), Out: c.String("out"),
				FirstMinute: c.Int("first-minute"), Minutes: c.Int("minutes"), Gzip: c.Bool("gzip")}
			if err := generate.Run(c.Context, c.Args().First(), opts); err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "generated %s into %s\n", c.Args().First(), opts.Out)
			return nil
		},
	}
}
