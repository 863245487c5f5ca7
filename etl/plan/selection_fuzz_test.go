package plan

import (
	"context"
	"maps"
	"strings"
	"testing"

	"etlrunner/etl/project"
)

// FuzzSelect feeds --select and --exclude any text: the selection never
// panics, selects only nodes of the plan, says the same twice, excludes
// only (never adds), and an error quotes what it could not use.
func FuzzSelect(f *testing.F) {
	for _, s := range []string{"", "a", "+b", "a+", "+b+", "tag:nightly,+b d", "path:models/gold/", "[ab]", "not_*",
		"[a", "tag:", "path:", "+", "++a++", ",", "a,,b", "s+ -x", "*", "\\", "tag:nightly,tag:hourly"} {
		f.Add(s, "")
		f.Add("", s)
	}
	p, err := project.Load(projectFS(selectionProject))
	if err != nil {
		f.Fatal(err)
	}
	pl, err := Compile(context.Background(), p, Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, sel, excl string) {
		got, err := pl.Select([]string{sel}, []string{excl})
		if err != nil {
			if msg := err.Error(); msg == "" || (!strings.Contains(msg, "matches nothing") && !strings.Contains(msg, "pattern") &&
				!strings.Contains(msg, "selector")) {
				t.Fatalf("error %q does not say what is wrong", msg)
			}
			return
		}
		for id := range got {
			if pl.Nodes[id] == nil {
				t.Fatalf("selected %q, which is not in the plan", id)
			}
		}
		again, err := pl.Select([]string{sel}, []string{excl})
		if err != nil || !maps.Equal(got, again) {
			t.Fatalf("a second selection differs: %v, %v", again, err)
		}
		included, err := pl.Select([]string{sel}, nil)
		if err != nil {
			t.Fatalf("the selection fails without its exclusion: %v", err)
		}
		for id := range got {
			if !included[id] {
				t.Fatalf("--exclude %q added %q", excl, id)
			}
		}
	})
}
