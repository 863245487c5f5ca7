package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// runResults is the part of target/run_results.json the bench reads.
type runResults struct {
	Results []struct {
		UniqueID      string  `json:"unique_id"`
		ExecutionTime float64 `json:"execution_time"`
		Message       string  `json:"message"`
	} `json:"results"`
}

// slowestNodes names the n nodes of the project's last run that took
// longest, with their seconds: where the run's time went.
func slowestNodes(project string, n int) string {
	data, err := os.ReadFile(filepath.Join(project, "target", "run_results.json"))
	if err != nil {
		return "(no run_results.json)"
	}
	var rr runResults
	if err := json.Unmarshal(data, &rr); err != nil {
		return "(unreadable run_results.json)"
	}
	res := rr.Results
	sort.Slice(res, func(i, j int) bool { return res[i].ExecutionTime > res[j].ExecutionTime })
	var total float64
	for _, r := range res {
		total += r.ExecutionTime
	}
	parts := []string{fmt.Sprintf("%d nodes, %.2fs in nodes", len(res), total)}
	for _, r := range res[:min(n, len(res))] {
		id := r.UniqueID
		if i := strings.Index(id, "."); i >= 0 {
			kind, rest, _ := strings.Cut(id, ".")
			if _, name, ok := strings.Cut(rest, "."); ok {
				id = kind + " " + name
			}
		}
		parts = append(parts, fmt.Sprintf("%s %.2fs", id, r.ExecutionTime))
	}
	return strings.Join(parts, ", ")
}
