package plan

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

// selectionProject: seed s -> a -> b -> c, d alone; tests on b and c (the
// one on c also checks a), and a singular test reading d.
var selectionProject = map[string]string{
	"models/sources.yml":  "seeds:\n  - {name: s, path: s.csv}\n",
	"models/silver/a.sql": "{{ config(tags=['nightly']) }}SELECT * FROM {{ source('raw', 's') }}",
	"models/silver/b.sql": "SELECT * FROM {{ ref('a') }}",
	"models/gold/c.sql":   "SELECT * FROM {{ ref('b') }}",
	"models/gold/d.sql":   "SELECT 1 AS id",
	"models/silver/b.yml": "models:\n  - name: b\n    columns:\n      - name: id\n        tests: [not_null]\n",
	"models/gold/c.yml": "models:\n  - name: c\n    config: {tags: [hourly, nightly]}\n    columns:\n      - name: id\n" +
		"        tests:\n          - relationships: {to: ref('a'), field: id}\n",
	"tests/d_positive.sql": "SELECT * FROM {{ ref('d') }} WHERE id <= 0",
}

func names(pl *Plan, ids map[string]bool) []string {
	var out []string
	for id := range ids {
		out = append(out, pl.Nodes[id].Name)
	}
	sort.Strings(out)
	return out
}

func TestSelect(t *testing.T) {
	pl := mustCompile(t, selectionProject)
	const (
		nn  = "not_null_b_id"
		rel = "relationships_c_id_a"
		sg  = "d_positive"
	)
	cases := []struct {
		name       string
		sel, excl  []string
		want       []string
		wantErrSub string
	}{
		{name: "everything", want: []string{"a", "b", "c", "d", sg, nn, rel, "s"}},
		{name: "by name brings its tests", sel: []string{"b"}, want: []string{"b", nn}},
		{name: "a model without tests", sel: []string{"d"}, want: []string{"d"}},
		{name: "ancestors", sel: []string{"+b"}, want: []string{"a", "b", nn, "s"}},
		// c's relationships test follows c, and also sits downstream of a.
		{name: "descendants", sel: []string{"a+"}, want: []string{"a", "b", "c", nn, rel}},
		{name: "both ways", sel: []string{"+b+"}, want: []string{"a", "b", "c", nn, rel, "s"}},
		{name: "descendants of a seed", sel: []string{"s+"}, want: []string{"a", "b", "c", nn, rel, "s"}},
		{name: "tag", sel: []string{"tag:hourly"}, want: []string{"c", rel}},
		{name: "tag on several models", sel: []string{"tag:nightly"}, want: []string{"a", "c", rel}},
		{name: "path folder", sel: []string{"path:models/gold"}, want: []string{"c", "d", rel}},
		{name: "path folder with slash", sel: []string{"path:models/gold/"}, want: []string{"c", "d", rel}},
		{name: "path file", sel: []string{"path:models/silver/a.sql"}, want: []string{"a"}},
		{name: "path of singular tests", sel: []string{"path:tests"}, want: []string{sg}},
		{name: "glob", sel: []string{"[ab]"}, want: []string{"a", "b", nn}},
		{name: "glob star", sel: []string{"not_*"}, want: []string{nn}},
		{name: "space separated", sel: []string{"a d"}, want: []string{"a", "d"}},
		{name: "repeated", sel: []string{"a b", "d"}, want: []string{"a", "b", "d", nn}},
		{name: "commas intersect", sel: []string{"tag:nightly,+b"}, want: []string{"a"}},
		{name: "commas and spaces", sel: []string{"tag:nightly,+b d"}, want: []string{"a", "d"}},
		{name: "exclude a model drops its tests", sel: []string{"+c"}, excl: []string{"b"}, want: []string{"a", "c", rel, "s"}},
		{name: "exclude from everything", excl: []string{"tag:nightly"}, want: []string{"b", "d", sg, nn, "s"}},
		{name: "exclude descendants", excl: []string{"s+"}, want: []string{"d", sg}},
		{name: "a singular test is selected by name only", sel: []string{"d_*"}, want: []string{sg}},
		{name: "unknown name", sel: []string{"zzz"}, wantErrSub: `--select "zzz" matches nothing`},
		{name: "unknown tag", sel: []string{"tag:none"}, wantErrSub: `"tag:none" matches nothing`},
		{name: "unknown exclude", excl: []string{"+zzz"}, wantErrSub: `"+zzz" matches nothing`},
		{name: "bad glob", sel: []string{"[a"}, wantErrSub: "syntax error in pattern"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pl.Select(tc.sel, tc.excl)
			if tc.wantErrSub != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErrSub) {
					t.Fatalf("error = %v, want %q", err, tc.wantErrSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if g := names(pl, got); !slices.Equal(g, want) {
				t.Errorf("selected %v, want %v", g, want)
			}
		})
	}
}

func TestTestedModel(t *testing.T) {
	pl := mustCompile(t, selectionProject)
	cases := []struct{ node, want string }{
		{"test.demo.not_null_b_id", "model.demo.b"},
		{"test.demo.relationships_c_id_a", "model.demo.c"},
		{"test.demo.d_positive", ""},
		{"model.demo.a", ""},
	}
	for _, tc := range cases {
		t.Run(tc.node, func(t *testing.T) {
			got := ""
			if m := pl.TestedModel(pl.Nodes[tc.node]); m != nil {
				got = m.ID
			}
			if got != tc.want {
				t.Errorf("tested model = %q, want %q", got, tc.want)
			}
		})
	}
}
