package project

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// ParseVars reads --vars: a YAML or JSON mapping such as `{seeds_dir: x}`.
func ParseVars(text string) (map[string]any, error) {
	vars := map[string]any{}
	if text == "" {
		return vars, nil
	}
	if err := yaml.Unmarshal([]byte(text), &vars); err != nil {
		return nil, fmt.Errorf("--vars must be a YAML or JSON mapping: %w", err)
	}
	return vars, nil
}

// WithVars returns the project's vars overlaid with overrides.
func (p *Project) WithVars(overrides map[string]any) map[string]any {
	merged := make(map[string]any, len(p.Vars)+len(overrides))
	for k, v := range p.Vars {
		merged[k] = v
	}
	for k, v := range overrides {
		merged[k] = v
	}
	return merged
}
