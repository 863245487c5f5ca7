// Package serve answers HTTP requests for the documentation site and a
// read-only JSON API over the gold models' published outputs.
//
// The API never opens the warehouse: DuckDB lets one process write a
// database file or several read it, so a server holding it open would stop
// the next `etl build`. It reads the Parquet files that output/_manifest.json
// lists instead, through an in-memory DuckDB that may read nothing outside
// the output folder, and it checks around every query that the files are
// the ones the manifest describes (see consistent), so a request during a
// build sees the last published outputs whole.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"etlrunner/etl/project"
	"etlrunner/etl/warehouse"
)

// Options configure a Server. The command line fills them; the package
// reads no flags and no environment.
type Options struct {
	// OutputDir holds _manifest.json and the files it lists.
	OutputDir string
	// DocsDir is the static site served at /; it may not exist yet.
	DocsDir string
	// Models are the models the API offers (see GoldModels), when the
	// manifest lists Parquet files for them.
	Models []ModelDoc
	// Token, when set, is required as "Authorization: Bearer <token>" on
	// every request (see requireToken).
	Token string
	// Rate is the requests per second each client address may make, with
	// bursts of Burst (0: twice Rate); Rate <= 0 turns the limit off.
	Rate  float64
	Burst int
	// Logger receives one line per request; nil logs nothing.
	Logger *slog.Logger
	// Wait is how long a request waits for a build that is publishing to
	// write its manifest before answering 503; 0 means DefaultWait.
	Wait time.Duration
}

// DefaultWait covers a publish: the renames of the outputs and the write of
// the manifest after them.
const DefaultWait = 10 * time.Second

// ModelDoc is what the project says about a model.
type ModelDoc struct {
	Name        string
	Description string
}

// GoldModels are the project's models of the gold layer, by name.
func GoldModels(p *project.Project) []ModelDoc {
	var out []ModelDoc
	for _, m := range p.Models {
		if m.Layer == "gold" {
			out = append(out, ModelDoc{Name: m.Name, Description: m.Description})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Server is the site and the API over one output folder.
type Server struct {
	opts    Options
	wh      *warehouse.Warehouse
	cat     *catalog
	handler http.Handler
}

// New opens the server's own in-memory DuckDB and builds the handler.
func New(ctx context.Context, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Wait <= 0 {
		opts.Wait = DefaultWait
	}
	wh, err := openReader(ctx, opts.OutputDir)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, wh: wh, cat: newCatalog(opts.OutputDir, opts.Models, wh.DB, opts.Wait)}
	s.handler = s.routes()
	return s, nil
}

// Handler answers the site under / and the API under /api/.
func (s *Server) Handler() http.Handler { return s.handler }

// Close releases the in-memory database.
func (s *Server) Close() error { return s.wh.Close() }

// Serve answers on ln until ctx is done, then stops accepting and lets the
// requests in flight finish. Without a token it refuses a listener that is
// reachable from other machines.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := CheckExposure(ln.Addr().String(), s.opts.Token); err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	stop, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(stop); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	}
	return nil
}

// CheckExposure refuses to serve without a token on anything but a
// loopback address. addr is a host or host:port.
func CheckExposure(addr, token string) error {
	if token != "" {
		return nil
	}
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing to serve on %q without a token: anyone who can reach it could read the outputs; set --token (or ETL_DOCS_TOKEN), or bind to 127.0.0.1", host)
}
