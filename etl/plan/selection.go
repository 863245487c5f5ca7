package plan

import (
	"fmt"
	"path"
	"strings"
)

// Select resolves --select and --exclude into a set of node IDs. An empty
// selection means every node. Selectors separated by spaces (or given
// several times) add up; joined by commas they intersect, as in dbt:
// `tag:billing,gold+`. Each is `name`, `+name` (with its ancestors), `name+`
// (with its descendants), `tag:x`, `path:models/gold`, or a `*` glob of
// names. Tests of a selected model are selected with it.
func (pl *Plan) Select(selectors, excludes []string) (map[string]bool, error) {
	chosen := map[string]bool{}
	sel := splitSelectors(selectors)
	if len(sel) == 0 {
		for nodeID := range pl.Nodes {
			chosen[nodeID] = true
		}
	}
	for _, s := range sel {
		ids, err := pl.resolveAll(s)
		if err != nil {
			return nil, err
		}
		for nodeID := range ids {
			chosen[nodeID] = true
		}
	}
	for _, s := range splitSelectors(excludes) {
		ids, err := pl.resolveAll(s)
		if err != nil {
			return nil, err
		}
		for nodeID := range ids {
			delete(chosen, nodeID)
		}
	}
	return chosen, nil
}

func splitSelectors(in []string) []string {
	var out []string
	for _, s := range in {
		out = append(out, strings.Fields(s)...)
	}
	return out
}

// resolveAll intersects the comma-separated parts of one selector.
func (pl *Plan) resolveAll(sel string) (map[string]bool, error) {
	var out map[string]bool
	for _, part := range strings.Split(sel, ",") {
		ids, err := pl.resolve(part)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = ids
			continue
		}
		for nodeID := range out {
			if !ids[nodeID] {
				delete(out, nodeID)
			}
		}
	}
	return out, nil
}

func (pl *Plan) resolve(sel string) (map[string]bool, error) {
	up := strings.HasPrefix(sel, "+")
	down := strings.HasSuffix(sel, "+")
	core := strings.TrimSuffix(strings.TrimPrefix(sel, "+"), "+")
	base := map[string]bool{}
	for nodeID, n := range pl.Nodes {
		ok, err := matches(n, core)
		if err != nil {
			return nil, err
		}
		if ok {
			base[nodeID] = true
		}
	}
	if len(base) == 0 {
		return nil, fmt.Errorf("--select %q matches nothing", sel)
	}
	out := map[string]bool{}
	for nodeID := range base {
		out[nodeID] = true
		if up {
			for a := range pl.Graph.Ancestors(nodeID) {
				out[a] = true
			}
		}
		if down {
			for d := range pl.Graph.Descendants(nodeID) {
				out[d] = true
			}
		}
	}
	// A selected model brings its tests.
	for nodeID, n := range pl.Nodes {
		if m := pl.TestedModel(n); m != nil && out[m.ID] {
			out[nodeID] = true
		}
	}
	return out, nil
}

func matches(n *Node, core string) (bool, error) {
	switch {
	case strings.HasPrefix(core, "tag:"):
		tag := strings.TrimPrefix(core, "tag:")
		if n.Model == nil {
			return false, nil
		}
		for _, t := range n.Config.Tags {
			if t == tag {
				return true, nil
			}
		}
		return false, nil
	case strings.HasPrefix(core, "path:"):
		p := strings.TrimSuffix(strings.TrimPrefix(core, "path:"), "/")
		return n.File == p || strings.HasPrefix(n.File, p+"/"), nil
	}
	ok, err := path.Match(core, n.Name)
	if err != nil {
		return false, fmt.Errorf("--select %q: %w", core, err)
	}
	return ok, nil
}
