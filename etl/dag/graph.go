// Package dag is a directed acyclic graph of named nodes: building it,
// finding cycles in a stable order, selecting parts of it, and walking it
// with bounded concurrency while skipping whatever depends on a failure.
package dag

import (
	"fmt"
	"sort"
	"strings"
)

// Graph maps each node to the nodes it depends on. Node IDs are strings.
type Graph struct {
	nodes []string
	index map[string]int
	deps  map[string]map[string]bool
	users map[string]map[string]bool
}

// New returns an empty graph.
func New() *Graph {
	return &Graph{index: map[string]int{}, deps: map[string]map[string]bool{}, users: map[string]map[string]bool{}}
}

// Add adds a node; adding it again is harmless.
func (g *Graph) Add(id string) {
	if _, ok := g.index[id]; ok {
		return
	}
	g.index[id] = len(g.nodes)
	g.nodes = append(g.nodes, id)
	g.deps[id] = map[string]bool{}
	g.users[id] = map[string]bool{}
}

// Connect records that node depends on dep; both are added if missing.
func (g *Graph) Connect(node, dep string) {
	g.Add(node)
	g.Add(dep)
	g.deps[node][dep] = true
	g.users[dep][node] = true
}

// Has reports whether id is a node.
func (g *Graph) Has(id string) bool { _, ok := g.index[id]; return ok }

// Nodes returns every node in the order added.
func (g *Graph) Nodes() []string { return append([]string(nil), g.nodes...) }

// Deps returns the direct dependencies of id, sorted.
func (g *Graph) Deps(id string) []string { return sortedSet(g.deps[id]) }

// Users returns the nodes that depend directly on id, sorted.
func (g *Graph) Users(id string) []string { return sortedSet(g.users[id]) }

func sortedSet(s map[string]bool) []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CycleError names the nodes of a cycle in order, first node repeated last.
type CycleError struct{ Path []string }

func (e *CycleError) Error() string { return "cycle: " + strings.Join(e.Path, " -> ") }

// Cycle returns one cycle, found deterministically (nodes visited in sorted
// order), or nil when the graph is acyclic.
func (g *Graph) Cycle() *CycleError {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var found []string
	var visit func(n string) bool
	visit = func(n string) bool {
		color[n] = grey
		stack = append(stack, n)
		for _, d := range g.Deps(n) {
			switch color[d] {
			case grey:
				i := len(stack) - 1
				for stack[i] != d {
					i--
				}
				found = append(append([]string(nil), stack[i:]...), d)
				return true
			case white:
				if visit(d) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
		return false
	}
	ids := append([]string(nil), g.nodes...)
	sort.Strings(ids)
	for _, n := range ids {
		if color[n] == white && visit(n) {
			// Report the cycle in dependency order: a depends on b ...
			return &CycleError{Path: found}
		}
	}
	return nil
}

// Order returns the nodes so that each comes after its dependencies; ties are
// broken by name so the order is stable. It fails on a cycle.
func (g *Graph) Order() ([]string, error) {
	if c := g.Cycle(); c != nil {
		return nil, c
	}
	remaining := map[string]int{}
	var ready []string
	for _, n := range g.nodes {
		remaining[n] = len(g.deps[n])
		if remaining[n] == 0 {
			ready = append(ready, n)
		}
	}
	sort.Strings(ready)
	var out []string
	for len(ready) > 0 {
		n := ready[0]
		ready = ready[1:]
		out = append(out, n)
		var next []string
		for _, u := range g.Users(n) {
			remaining[u]--
			if remaining[u] == 0 {
				next = append(next, u)
			}
		}
		ready = append(ready, next...)
		sort.Strings(ready)
	}
	if len(out) != len(g.nodes) {
		return nil, fmt.Errorf("dag: order incomplete")
	}
	return out, nil
}

// Ancestors returns every node id depends on, transitively.
func (g *Graph) Ancestors(id string) map[string]bool { return g.reach(id, g.deps) }

// Descendants returns every node depending on id, transitively.
func (g *Graph) Descendants(id string) map[string]bool { return g.reach(id, g.users) }

func (g *Graph) reach(id string, edges map[string]map[string]bool) map[string]bool {
	seen := map[string]bool{}
	queue := []string{id}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for m := range edges[n] {
			if !seen[m] {
				seen[m] = true
				queue = append(queue, m)
			}
		}
	}
	return seen
}

// Subgraph keeps only the nodes in keep, with the edges between them.
func (g *Graph) Subgraph(keep map[string]bool) *Graph {
	s := New()
	for _, n := range g.nodes {
		if keep[n] {
			s.Add(n)
		}
	}
	for _, n := range g.nodes {
		if !keep[n] {
			continue
		}
		for d := range g.deps[n] {
			if keep[d] {
				s.Connect(n, d)
			}
		}
	}
	return s
}
