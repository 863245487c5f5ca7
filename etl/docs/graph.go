package docs

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/goccy/go-graphviz"
)

// fill colours a node by kind.
var fill = map[string]string{
	"seed": "#e3f2fd", "model": "#e8f5e9", "export": "#fff8e1", "delivery": "#f3e5f5", "test": "#90a4ae",
}

// lineageDOT draws the site as Graphviz's dot language: left to right,
// seeds to exports, every node linking to its page (relative to the page
// the SVG sits in, prefix) and carrying its id, so the page's script can
// find it; tests are small points beside their models.
func lineageDOT(s *Site, prefix string) string {
	var b strings.Builder
	b.WriteString("digraph lineage {\n  rankdir=LR; bgcolor=\"transparent\"; nodesep=0.12; ranksep=0.7;\n")
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\", height=0.3, color=\"#607d8b\"];\n")
	b.WriteString("  edge [color=\"#9aa5b1\", arrowsize=0.5];\n")
	for _, n := range s.Nodes {
		attrs := map[string]string{"id": n.ID, "URL": prefix + n.Page, "tooltip": n.Kind + " " + n.Name,
			"class": "lineage-node kind-" + n.Kind + " " + n.StatusClass(), "fillcolor": fill[n.Kind], "label": n.Label()}
		if n.Kind == "test" {
			attrs["shape"], attrs["width"], attrs["label"] = "point", "0.09", ""
			if n.Run != nil && (n.Run.Status == "fail" || n.Run.Status == "error") {
				attrs["fillcolor"] = "#e53935"
			}
		}
		fmt.Fprintf(&b, "  %s [%s];\n", quote(n.ID), attrList(attrs))
	}
	for _, n := range s.Nodes {
		for _, p := range n.Parents {
			if s.ByID[p] == nil {
				continue
			}
			fmt.Fprintf(&b, "  %s -> %s [%s];\n", quote(p), quote(n.ID), attrList(map[string]string{"id": EdgeID(p, n.ID), "class": "lineage-edge"}))
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// EdgeID is the SVG id of the edge from parent to child.
func EdgeID(parent, child string) string { return parent + "->" + child }

func attrList(attrs map[string]string) string {
	keys := []string{"id", "label", "URL", "tooltip", "class", "shape", "width", "fillcolor"}
	var parts []string
	for _, k := range keys {
		if v, ok := attrs[k]; ok {
			parts = append(parts, k+"="+quote(v))
		}
	}
	return strings.Join(parts, ", ")
}

// quote is a dot string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// renderSVG lays out and draws dot with Graphviz (compiled into the
// binary as WebAssembly: nothing to install).
func renderSVG(ctx context.Context, dot string) ([]byte, error) {
	gv, err := graphviz.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("graphviz: %w", err)
	}
	defer gv.Close()
	g, err := graphviz.ParseBytes([]byte(dot))
	if err != nil {
		return nil, fmt.Errorf("graphviz: parse the lineage: %w", err)
	}
	defer g.Close()
	var buf bytes.Buffer
	if err := gv.Render(ctx, g, graphviz.SVG, &buf); err != nil {
		return nil, fmt.Errorf("graphviz: draw the lineage: %w", err)
	}
	svg := buf.Bytes()
	// Inline in a page: drop the XML prolog and doctype.
	if i := bytes.Index(svg, []byte("<svg")); i > 0 {
		svg = svg[i:]
	}
	return svg, nil
}
