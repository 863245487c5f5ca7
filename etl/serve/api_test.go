package serve

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"etlrunner/etl/warehouse"
)

func TestListModels(t *testing.T) {
	_, srv := start(t, Options{})
	var got listing
	get(t, srv, "/api/models").must(t, http.StatusOK).decode(t, &got)
	if got.RunID != "run-1" || got.GeneratedAt == "" {
		t.Errorf("run = %q at %q", got.RunID, got.GeneratedAt)
	}
	var names []string
	for _, m := range got.Models {
		names = append(names, m.Name)
		if m.Error != "" {
			t.Errorf("%s: %s", m.Name, m.Error)
		}
	}
	// Not the silver model, nor the gold one without outputs.
	if want := []string{"events", "nothing", "sales"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("models = %v, want %v", names, want)
	}
	events, nothing, sales := got.Models[0], got.Models[1], got.Models[2]
	wantSales := []warehouse.Column{{Name: "id", Type: "INTEGER"}, {Name: "region", Type: "VARCHAR"}, {Name: "amount", Type: "DECIMAL(18,2)"},
		{Name: "day", Type: "DATE"}, {Name: "sold_at", Type: "TIMESTAMP"}, {Name: "score", Type: "DOUBLE"}, {Name: "tags", Type: "VARCHAR[]"}, {Name: "note", Type: "VARCHAR"}}
	if !reflect.DeepEqual(sales.Columns, wantSales) {
		t.Errorf("sales columns = %v", sales.Columns)
	}
	if sales.Rows != 10 || sales.Description != "One row per sale." || sales.RowsURL != "/api/models/sales/rows" || len(sales.Files) != 2 {
		t.Errorf("sales = %+v", sales)
	}
	// The partition column comes from the folders, as hive readers see it.
	wantEvents := []warehouse.Column{{Name: "id", Type: "INTEGER"}, {Name: "kind", Type: "VARCHAR"}, {Name: "day", Type: "DATE"}}
	if !reflect.DeepEqual(events.Columns, wantEvents) || events.Rows != 4 || len(events.Files) != 2 {
		t.Errorf("events = %+v", events)
	}
	if nothing.Rows != 0 || len(nothing.Columns) != 2 {
		t.Errorf("nothing = %+v", nothing)
	}
}

func TestOneModel(t *testing.T) {
	_, srv := start(t, Options{})
	var e modelEntry
	get(t, srv, "/api/models/events").must(t, http.StatusOK).decode(t, &e)
	if e.Name != "events" || e.Rows != 4 {
		t.Fatalf("entry = %+v", e)
	}
	for _, path := range []string{"/api/models/unpublished", "/api/models/silver_only", "/api/models/nope/rows", "/api/nope"} {
		r := get(t, srv, path).must(t, http.StatusNotFound)
		if !strings.Contains(r.body, `"error"`) || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %s %v", path, r.body, r.header)
		}
	}
}

func TestNoManifest(t *testing.T) {
	_, srv := start(t, Options{OutputDir: t.TempDir()})
	if r := get(t, srv, "/api/models").must(t, http.StatusOK); !strings.Contains(r.body, `"models":[]`) {
		t.Errorf("list = %s", r.body)
	}
	if r := get(t, srv, "/api/models/sales/rows").must(t, http.StatusNotFound); !strings.Contains(r.body, "run etl build first") {
		t.Errorf("rows = %s", r.body)
	}
}

func TestFilters(t *testing.T) {
	_, srv := start(t, Options{})
	for _, c := range []struct {
		query string
		ids   []int
	}{
		{"", []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{"region=north", []int{1, 3, 4, 6, 8, 10}},
		{"region=north&day=2020-02-04", []int{3, 4}},
		{"day=2020-02-04&region=south", nil},
		{"amount=10.5", []int{1}},                    // compared as DECIMAL: 10.5 is 10.50
		{"id=07", []int{7}},                          // as INTEGER
		{"sold_at=2020-02-03T11:30:00.25", []int{2}}, // as TIMESTAMP
		{"score=2", []int{3}},
		{"note=it%27s", []int{3}},
		{"note=", nil},
	} {
		p := rows(t, srv, "/api/models/sales/rows?"+c.query)
		if got := p.ids(); !reflect.DeepEqual(got, c.ids) || p.Total != int64(len(c.ids)) {
			t.Errorf("%q: ids %v total %d, want %v", c.query, got, p.Total, c.ids)
		}
	}
	// A partition column filters like any other.
	if p := rows(t, srv, "/api/models/events/rows?day=2020-02-04"); !reflect.DeepEqual(p.ids(), []int{2, 1}) {
		t.Errorf("events of 2020-02-04: %v", p.ids())
	}
}

func TestPaging(t *testing.T) {
	_, srv := start(t, Options{})
	for _, c := range []struct {
		query string
		ids   []int
		total int64
	}{
		{"limit=3", []int{1, 2, 3}, 10},
		{"limit=3&offset=3", []int{4, 5, 6}, 10},
		{"limit=3&offset=9", []int{10}, 10},
		{"offset=10", nil, 10},
		{"limit=0", nil, 10},
		{"region=north&limit=2&offset=2", []int{4, 6}, 6},
		{"region=north&offset=5", []int{10}, 6},
	} {
		p := rows(t, srv, "/api/models/sales/rows?"+c.query)
		if !reflect.DeepEqual(p.ids(), c.ids) || p.Total != c.total {
			t.Errorf("%q: ids %v total %d, want %v %d", c.query, p.ids(), p.Total, c.ids, c.total)
		}
	}
	if p := rows(t, srv, "/api/models/sales/rows"); p.Limit != DefaultLimit || p.Offset != 0 || p.Model != "sales" || len(p.Columns) != 8 {
		t.Errorf("defaults: %+v", p)
	}
	// The files' order: partition by partition as the manifest lists
	// them, each in its export's order_by (id DESC).
	if p := rows(t, srv, "/api/models/events/rows"); !reflect.DeepEqual(p.ids(), []int{5, 4, 2, 1}) {
		t.Errorf("events order %v", p.ids())
	}
	if p := rows(t, srv, "/api/models/events/rows?limit=2&offset=1"); !reflect.DeepEqual(p.ids(), []int{4, 2}) || p.Total != 4 {
		t.Errorf("events page %v total %d", p.ids(), p.Total)
	}
	if p := rows(t, srv, "/api/models/nothing/rows?id=1"); len(p.Rows) != 0 || p.Total != 0 {
		t.Errorf("empty model: %+v", p)
	}
}

func TestValueTypes(t *testing.T) {
	_, srv := start(t, Options{})
	r := get(t, srv, "/api/models/sales/rows?limit=2").must(t, http.StatusOK)
	want := `"rows":[` +
		`{"id":1,"region":"north","amount":10.50,"day":"2020-02-03","sold_at":"2020-02-03T10:00:00","score":1.5,"tags":["a","b"],"note":"plain"},` +
		`{"id":2,"region":"south","amount":20.00,"day":"2020-02-03","sold_at":"2020-02-03T11:30:00.25","score":"nan","tags":[],"note":null}]`
	if !strings.Contains(r.body, want) {
		t.Errorf("body %s\nlacks %s", r.body, want)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
}

func TestCSV(t *testing.T) {
	_, srv := start(t, Options{})
	r := get(t, srv, "/api/models/sales/rows?format=csv&region=south").must(t, http.StatusOK)
	want := "id,region,amount,day,sold_at,score,tags,note\n" +
		"2,south,20.00,2020-02-03,2020-02-03T11:30:00.25,nan,[],\n" +
		"9,south,90.00,2020-02-07,2020-02-07T10:00:00,7.0,\"[\"\"h\"\"]\",x\n"
	if r.body != want {
		t.Errorf("csv:\n%s\nwant:\n%s", r.body, want)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("content type %q", ct)
	}
}

func TestBadRequests(t *testing.T) {
	_, srv := start(t, Options{})
	for query, says := range map[string]string{
		"colour=red":        `no column \"colour\"`,
		"limit=abc":         "limit must be an integer",
		"limit=-1":          "limit must be an integer",
		"limit=10001":       "limit must be an integer",
		"limit=1.5":         "limit must be an integer",
		"offset=-1":         "offset must be an integer",
		"offset=x":          "offset must be an integer",
		"format=xml":        "format must be json or csv",
		"region=a&region=b": `\"region\" is given 2 times`,
		"id=abc":            `is not a INTEGER, the type of column \"id\"`,
		"day=tomorrow":      "DATE",
		"tags=a":            "cannot be filtered",
		"region=%zz":        "malformed query string",
	} {
		r := get(t, srv, "/api/models/sales/rows?"+query).must(t, http.StatusBadRequest)
		if !strings.Contains(r.body, says) {
			t.Errorf("%q: %s, want it to say %s", query, r.body, says)
		}
	}
}
