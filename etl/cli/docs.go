package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"etlrunner/etl/docs"
)

// docsCommand writes the documentation site and serves it.
func docsCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "docs",
		Usage: "the documentation site: lineage graph, a page per node, last run (generate, serve)",
		Subcommands: []*ucli.Command{
			{
				Name:   "generate",
				Usage:  "write the site into target/docs (static, self-contained, works opened from disk)",
				Flags:  projectFlags(),
				Action: generateDocs,
			},
			docsServeCommand(),
		},
	}
}

func generateDocs(c *ucli.Context) error {
	l, err := load(c)
	if err != nil {
		return err
	}
	sess, err := l.open(c.Context, "docs generate", nil, false)
	if err != nil {
		return err
	}
	defer sess.close()
	res, err := docs.Generate(c.Context, docs.Options{Plan: l.plan, DB: sess.wh.DB, TargetDir: l.path(l.proj.TargetDir), OutputDir: l.path(l.proj.OutputDir)})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "Wrote the docs site to %s: %d pages, a lineage of %d nodes and %d edges. Open %s in a browser.\n",
		res.Dir, res.Pages, res.Nodes, res.Edges, res.Dir+"/index.html")
	return nil
}
