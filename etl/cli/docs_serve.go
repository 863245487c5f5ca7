package cli

import (
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"

	ucli "github.com/urfave/cli/v2"

	"etlrunner/etl/project"
	"etlrunner/etl/serve"
)

// docsServeCommand serves target/docs and a read-only JSON API over the
// gold models' published outputs (package serve).
func docsServeCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "serve",
		Usage: "serve the docs site and a read-only JSON API over the gold models' outputs (127.0.0.1:8080)",
		Flags: flags(projectFlags(), []ucli.Flag{
			&ucli.IntFlag{Name: "port", Value: 8080, Usage: "port to listen on; 0 takes a free one"},
			&ucli.StringFlag{Name: "host", Value: "127.0.0.1", Usage: "address to listen on; anything but a loopback address needs a token"},
			&ucli.StringFlag{Name: "token", EnvVars: []string{"ETL_DOCS_TOKEN"}, Usage: "require Authorization: Bearer <token> (prefer $ETL_DOCS_TOKEN: a flag shows in the process list)"},
			&ucli.Float64Flag{Name: "rate", Value: 20, Usage: "requests per second per client address, in bursts of twice that; 0 turns the limit off"},
		}),
		Action: serveDocs,
	}
}

func serveDocs(c *ucli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("etl docs serve takes no arguments, got %q", c.Args().First())
	}
	host, token, port, rate := c.String("host"), c.String("token"), c.Int("port"), c.Float64("rate")
	if port < 0 || port > 65535 {
		return fmt.Errorf("--port %d is not a port (0 to 65535)", port)
	}
	if rate < 0 {
		return fmt.Errorf("--rate %g is negative (0 turns the limit off)", rate)
	}
	// Before anything else: never listen where others can reach without a token.
	if err := serve.CheckExposure(host, token); err != nil {
		return err
	}
	dir, proj, err := loadSettings(c)
	if err != nil {
		return err
	}
	srv, err := serve.New(c.Context, serve.Options{
		OutputDir: project.Resolve(dir, proj.OutputDir),
		DocsDir:   filepath.Join(project.Resolve(dir, proj.TargetDir), "docs"),
		Models:    serve.GoldModels(proj),
		Token:     token,
		Rate:      rate,
		Logger:    slog.New(slog.NewTextHandler(c.App.ErrWriter, nil)),
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("docs serve: %w", err)
	}
	fmt.Fprintf(c.App.Writer, "Serving docs and API on http://%s (Ctrl-C to stop)\n", ln.Addr())
	return srv.Serve(c.Context, ln)
}
