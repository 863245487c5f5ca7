package dag

import (
	"reflect"
	"testing"
)

func build(edges [][2]string, nodes ...string) *Graph {
	g := New()
	for _, n := range nodes {
		g.Add(n)
	}
	for _, e := range edges {
		g.Connect(e[0], e[1])
	}
	return g
}

func TestCycle(t *testing.T) {
	cases := []struct {
		name  string
		edges [][2]string
		want  []string
	}{
		{"acyclic", [][2]string{{"b", "a"}, {"c", "b"}}, nil},
		{"self", [][2]string{{"a", "a"}}, []string{"a", "a"}},
		{"two", [][2]string{{"a", "b"}, {"b", "a"}}, []string{"a", "b", "a"}},
		{"three behind a tail", [][2]string{{"z", "c"}, {"c", "d"}, {"d", "e"}, {"e", "c"}}, []string{"c", "d", "e", "c"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := build(tc.edges).Cycle()
			if tc.want == nil {
				if got != nil {
					t.Fatalf("unexpected cycle %v", got)
				}
				return
			}
			if got == nil || !reflect.DeepEqual(got.Path, tc.want) {
				t.Fatalf("cycle = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestOrder(t *testing.T) {
	g := build([][2]string{{"gold", "silver"}, {"silver", "bronze"}, {"other", "bronze"}}, "lonely")
	got, err := g.Order()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bronze", "lonely", "other", "silver", "gold"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
	if _, err := build([][2]string{{"a", "b"}, {"b", "a"}}).Order(); err == nil {
		t.Fatal("cycle not reported")
	}
}

func TestReach(t *testing.T) {
	g := build([][2]string{{"c", "b"}, {"b", "a"}, {"d", "a"}})
	if got := g.Descendants("a"); !reflect.DeepEqual(got, map[string]bool{"b": true, "c": true, "d": true}) {
		t.Fatalf("descendants = %v", got)
	}
	if got := g.Ancestors("c"); !reflect.DeepEqual(got, map[string]bool{"a": true, "b": true}) {
		t.Fatalf("ancestors = %v", got)
	}
	sub := g.Subgraph(map[string]bool{"a": true, "c": true, "b": true})
	if sub.Has("d") || !reflect.DeepEqual(sub.Deps("c"), []string{"b"}) {
		t.Fatalf("subgraph wrong: %v %v", sub.Nodes(), sub.Deps("c"))
	}
}
