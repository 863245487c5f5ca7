package report

import (
	"path/filepath"
	"sort"
	"time"

	"etlrunner/etl/plan"
	"etlrunner/etl/project"
)

type manifest struct {
	Metadata  Metadata                `json:"metadata"`
	Nodes     map[string]manifestNode `json:"nodes"`
	Sources   map[string]manifestNode `json:"sources"`
	ParentMap map[string][]string     `json:"parent_map"`
	ChildMap  map[string][]string     `json:"child_map"`
}

type manifestNode struct {
	UniqueID         string                    `json:"unique_id"`
	ResourceType     string                    `json:"resource_type"`
	Name             string                    `json:"name"`
	Schema           string                    `json:"schema,omitempty"`
	OriginalFilePath string                    `json:"original_file_path"`
	Description      string                    `json:"description,omitempty"`
	Columns          map[string]project.Column `json:"columns,omitempty"`
	Config           *project.Config           `json:"config,omitempty"`
	Tags             []string                  `json:"tags"`
	DependsOn        dependsOn                 `json:"depends_on"`
	CompiledCode     string                    `json:"compiled_code,omitempty"`
	Test             *project.Test             `json:"test_metadata,omitempty"`
	Path             string                    `json:"path,omitempty"` // seed files
	Format           string                    `json:"format,omitempty"`
	Relation         string                    `json:"relation_name,omitempty"`
}

type dependsOn struct {
	Nodes []string `json:"nodes"`
}

// WriteManifest writes manifest.json describing every node of the plan.
func WriteManifest(dir, runID, command string, pl *plan.Plan) error {
	m := manifest{
		Metadata:  Metadata{SchemaVersion: SchemaVersion, GeneratedAt: time.Now().UTC(), InvocationID: runID, Command: command},
		Nodes:     map[string]manifestNode{},
		Sources:   map[string]manifestNode{},
		ParentMap: map[string][]string{},
		ChildMap:  map[string][]string{},
	}
	for nodeID, n := range pl.Nodes {
		deps := pl.Graph.Deps(nodeID)
		m.ParentMap[nodeID] = deps
		m.ChildMap[nodeID] = pl.Graph.Users(nodeID)
		mn := manifestNode{UniqueID: nodeID, ResourceType: string(n.Kind), Name: n.Name, OriginalFilePath: n.File,
			DependsOn: dependsOn{Nodes: deps}, CompiledCode: n.SQL, Tags: []string{}}
		switch n.Kind {
		case plan.SeedNode:
			mn.Description, mn.Path, mn.Format = n.Seed.Description, n.PatternText(), n.Seed.Format
			mn.Schema, mn.Relation = n.Seed.Schema(), n.Seed.Table
			m.Sources[nodeID] = mn
			continue
		case plan.ModelNode:
			cfg := n.Config
			mn.Config, mn.Schema, mn.Description, mn.Relation = &cfg, n.Relation.Schema, n.Model.Description, n.Relation.String()
			mn.Tags = append(mn.Tags, cfg.Tags...)
			mn.Columns = map[string]project.Column{}
			for _, c := range n.Model.Columns {
				mn.Columns[c.Name] = c
			}
		case plan.TestNode:
			mn.Test = n.Test
		}
		m.Nodes[nodeID] = mn
	}
	for _, list := range m.ChildMap {
		sort.Strings(list)
	}
	return WriteJSON(filepath.Join(dir, "manifest.json"), m)
}
