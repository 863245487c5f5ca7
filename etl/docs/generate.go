// Package docs writes the project's documentation site: an index of
// seeds, models, tests, exports and deliveries with search, a lineage graph
// drawn by Graphviz as SVG, and a page per node with its columns (as the
// warehouse has them), tests, compiled SQL, last run and output files. The
// site is static and self-contained: every asset is embedded in the binary,
// and it works opened from disk.
package docs

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path/filepath"

	"etlrunner/etl/plan"
	"etlrunner/etl/warehouse"
)

//go:embed templates/*.html assets/*
var files embed.FS

var pages = template.Must(template.ParseFS(files, "templates/*.html"))

// Dir is the site's folder under the target folder.
const Dir = "docs"

// Options of a generation.
type Options struct {
	Plan      *plan.Plan
	DB        warehouse.Querier // the warehouse, for columns and the ledger; nil: none yet
	TargetDir string            // where run_results.json is and the site goes
	OutputDir string            // where _manifest.json is
}

// Result says what was written.
type Result struct {
	Dir          string
	Pages        int
	Nodes, Edges int
}

type group struct {
	Title string
	Nodes []*Node
}

type pageData struct {
	Title, Root string
	Site        *Site
	Node        *Node
	Groups      []group
	SVG         template.HTML
	Graph       string
}

// Generate writes the site into TargetDir/docs, replacing the previous
// one only once the new one is complete.
func Generate(ctx context.Context, opts Options) (Result, error) {
	f, err := gather(ctx, opts.DB, opts.TargetDir, opts.OutputDir)
	if err != nil {
		return Result{}, err
	}
	site := build(opts.Plan, f)
	svg, err := renderSVG(ctx, lineageDOT(site, ""))
	if err != nil {
		return Result{}, err
	}
	tmp, err := stageDir(opts.TargetDir)
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(tmp)
	res := Result{Dir: filepath.Join(opts.TargetDir, Dir)}
	if err := copyAssets(tmp); err != nil {
		return res, err
	}
	graph, edges := adjacency(site)
	res.Nodes, res.Edges = len(site.Nodes), edges
	index := pageData{Title: "Lineage and catalog", Site: site, Groups: groups(site), SVG: template.HTML(svg), Graph: graph}
	if err := writePage(filepath.Join(tmp, "index.html"), "index.html", index); err != nil {
		return res, err
	}
	if err := os.WriteFile(filepath.Join(tmp, "lineage.svg"), svg, 0o644); err != nil {
		return res, err
	}
	for _, n := range site.Nodes {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		data := pageData{Title: n.Label(), Root: "../", Site: site, Node: n}
		if err := writePage(filepath.Join(tmp, n.Page), "node.html", data); err != nil {
			return res, err
		}
	}
	res.Pages = len(site.Nodes) + 1
	old := res.Dir + ".old"
	os.RemoveAll(old)
	if err := os.Rename(res.Dir, old); err != nil && !os.IsNotExist(err) {
		return res, fmt.Errorf("docs: %w", err)
	}
	if err := os.Rename(tmp, res.Dir); err != nil {
		return res, fmt.Errorf("docs: %w", err)
	}
	return res, os.RemoveAll(old)
}

func stageDir(target string) (string, error) {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	tmp := filepath.Join(target, ".docs-"+hex.EncodeToString(b))
	if err := os.MkdirAll(filepath.Join(tmp, "nodes"), 0o755); err != nil {
		return "", fmt.Errorf("docs: %w", err)
	}
	return tmp, nil
}

func copyAssets(dir string) error {
	return fs.WalkDir(files, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, p), 0o755)
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, p), data, 0o644)
	})
}

func writePage(path, tmpl string, data pageData) error {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, tmpl, data); err != nil {
		return fmt.Errorf("docs: %s: %w", filepath.Base(path), err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// adjacency is the graph as the page's script walks it: each node's
// parents, children, page and label. It returns the JSON and the number
// of edges.
func adjacency(s *Site) (string, int) {
	type entry struct {
		P     []string `json:"p"`
		C     []string `json:"c"`
		Page  string   `json:"page"`
		Label string   `json:"label"`
	}
	out := map[string]entry{}
	edges := 0
	for _, n := range s.Nodes {
		e := entry{P: []string{}, C: n.Children, Page: n.Page, Label: n.Kind + " " + n.Label()}
		for _, p := range n.Parents {
			if s.ByID[p] != nil {
				e.P = append(e.P, p)
				edges++
			}
		}
		if e.C == nil {
			e.C = []string{}
		}
		out[n.ID] = e
	}
	data, _ := json.Marshal(out)
	return string(data), edges
}

// groups orders the index: seeds, then models by layer, tests, exports
// and deliveries.
func groups(s *Site) []group {
	var out []group
	for _, n := range s.Nodes {
		title := n.Kind + "s"
		if n.Kind == "model" {
			title = n.Group + " models"
		}
		if n.Kind == "delivery" {
			title = "deliveries"
		}
		if len(out) == 0 || out[len(out)-1].Title != title {
			out = append(out, group{Title: title})
		}
		out[len(out)-1].Nodes = append(out[len(out)-1].Nodes, n)
	}
	return out
}
