package docs

import (
	"sort"
	"strings"

	"etlrunner/etl/export"
	"etlrunner/etl/plan"
	"etlrunner/etl/project"
)

// Node is one page of the site and one box of the lineage graph: a seed,
// a model, a test, an export or a delivery.
type Node struct {
	ID, Kind, Name, File, Group string
	Description                 string
	Tags                        []string
	Materialized, Relation      string
	Columns                     []Column
	SQL                         string
	Parents, Children           []string
	Tests                       []string
	Run                         *Run
	Files                       []export.File
	Ledger                      []LedgerFile
	Patterns                    string // a seed's landing paths
	Page                        string // the node's page, relative to the site's root
}

// Site is everything the pages show.
type Site struct {
	Project string
	RunID   string
	Nodes   []*Node // in a stable order: kind, group, name
	ByID    map[string]*Node
}

// kindOrder sorts the index: what comes first in the flow first.
var kindOrder = map[string]int{"seed": 0, "model": 1, "test": 2, "export": 3, "delivery": 4}

// build assembles the site from the compiled plan and the facts.
func build(pl *plan.Plan, f *facts) *Site {
	s := &Site{Project: pl.Project.Name, RunID: f.runID, ByID: map[string]*Node{}}
	add := func(n *Node) {
		n.Page = "nodes/" + slug(n.ID) + ".html"
		if r, ok := f.runs[n.ID]; ok {
			n.Run = &r
			if n.SQL == "" {
				n.SQL = r.SQL // a test's query, as the run compiled it
			}
		}
		s.Nodes = append(s.Nodes, n)
		s.ByID[n.ID] = n
	}
	tests := testsOf(pl)
	for _, n := range pl.Nodes {
		d := &Node{ID: n.ID, Kind: string(n.Kind), Name: n.Name, File: n.File, Parents: pl.Graph.Deps(n.ID)}
		switch n.Kind {
		case plan.SeedNode:
			d.Group, d.Description, d.Relation, d.Patterns = "landing", n.Seed.Description, n.Seed.Table, n.PatternText()
			d.Columns, d.Ledger = f.columnsOf(n.Seed.Table, nil), f.ledger[n.Name]
		case plan.ModelNode:
			d.Group, d.Description, d.Tags, d.Materialized = n.Relation.Schema, n.Model.Description, n.Config.Tags, n.Config.Materialized
			d.Relation, d.SQL, d.Tests = n.Relation.Schema+"."+n.Relation.Name, n.SQL, tests[n.ID]
			d.Columns, d.Files = f.columnsOf(d.Relation, n.Model.Columns), f.files[n.Name]
		case plan.TestNode:
			d.Group = "tests"
			if m := pl.TestedModel(n); m != nil {
				d.Group = m.Relation.Schema
			}
		}
		add(d)
	}
	for _, n := range pl.ByKind(plan.ModelNode) {
		if len(n.Config.ExportList()) == 0 {
			continue
		}
		add(&Node{ID: "export:" + n.ID, Kind: "export", Name: n.Name, File: n.File, Group: n.Relation.Schema,
			Parents: []string{n.ID}, Files: f.files[n.Name], Description: "The output files of " + n.Name + "."})
	}
	for _, d := range pl.Deliveries {
		var parents []string
		for _, m := range d.Models {
			parents = append(parents, m.ID)
		}
		add(&Node{ID: d.ID, Kind: "delivery", Name: d.Outbox() + " → " + d.Channel, File: d.File, Group: d.Channel,
			Parents: parents, Description: deliveryText(d.Delivery), SQL: d.Body})
	}
	for _, n := range s.Nodes {
		for _, p := range n.Parents {
			if parent := s.ByID[p]; parent != nil {
				parent.Children = append(parent.Children, n.ID)
			}
		}
	}
	sort.Slice(s.Nodes, func(i, j int) bool {
		a, b := s.Nodes[i], s.Nodes[j]
		if kindOrder[a.Kind] != kindOrder[b.Kind] {
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		}
		if a.Group != b.Group {
			return groupRank(a.Group) < groupRank(b.Group) || (groupRank(a.Group) == groupRank(b.Group) && a.Group < b.Group)
		}
		return a.ID < b.ID
	})
	for _, n := range s.Nodes {
		sort.Strings(n.Children)
	}
	return s
}

// groupRank puts the medallion layers in the order data flows through them.
func groupRank(g string) int {
	switch g {
	case "bronze":
		return 0
	case "silver":
		return 1
	case "gold":
		return 2
	}
	return 3
}

func deliveryText(d *project.Delivery) string {
	per := "one message per row"
	if d.Per == project.PerRun {
		per = "one digest per run, when its rows changed"
	}
	return "Sent on channel " + d.Channel + ", " + per + "."
}

// Tags lists every tag of the site's nodes.
func (s *Site) Tags() []string {
	seen := map[string]bool{}
	for _, n := range s.Nodes {
		for _, t := range n.Tags {
			seen[t] = true
		}
	}
	var out []string
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Label is how the graph and lists name a node.
func (n *Node) Label() string {
	switch n.Kind {
	case "seed":
		return n.Relation
	case "model":
		return n.Relation
	case "export":
		return "export " + n.Name
	}
	return n.Name
}

// StatusClass is the CSS class of the node's last status.
func (n *Node) StatusClass() string {
	if n.Run == nil {
		return "status-none"
	}
	return "status-" + strings.ToLower(n.Run.Status)
}
