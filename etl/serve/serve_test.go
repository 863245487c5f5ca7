package serve

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

func TestSite(t *testing.T) {
	docs := filepath.Join(t.TempDir(), "docs")
	_, srv := start(t, Options{DocsDir: docs})
	r := get(t, srv, "/").must(t, http.StatusNotFound)
	if !strings.Contains(r.body, "run etl docs generate first") {
		t.Errorf("no site: %s", r.body)
	}
	// Generated while the server runs.
	write(t, filepath.Join(docs, "index.html"), "<h1>etl_demo</h1>")
	write(t, filepath.Join(docs, "nodes", "model.sales.html"), "<h1>sales</h1>")
	if r := get(t, srv, "/").must(t, http.StatusOK); r.body != "<h1>etl_demo</h1>" {
		t.Errorf("index: %s", r.body)
	}
	get(t, srv, "/nodes/model.sales.html").must(t, http.StatusOK)
	get(t, srv, "/nodes/none.html").must(t, http.StatusNotFound)
	get(t, srv, "/..%2f..%2fetl.yml").must(t, http.StatusNotFound)
}

// With a token the site needs it too; a browser sends it as the password
// of HTTP Basic, which the 401 asks for.
func TestSiteToken(t *testing.T) {
	docs := filepath.Join(t.TempDir(), "docs")
	write(t, filepath.Join(docs, "index.html"), "site")
	_, srv := start(t, Options{DocsDir: docs, Token: "tok"})
	r := get(t, srv, "/").must(t, http.StatusUnauthorized)
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic ") {
		t.Errorf("challenge %q", r.header.Get("WWW-Authenticate"))
	}
	get(t, srv, "/", "Authorization", "Basic "+basic("anyone", "nope")).must(t, http.StatusUnauthorized)
	get(t, srv, "/", "Authorization", "Basic "+basic("anyone", "tok")).must(t, http.StatusOK)
	get(t, srv, "/", "Authorization", "Bearer tok").must(t, http.StatusOK)
}

// DuckDB's hive partitioning reads every name=value folder of a path as a
// column and takes its value over a column of the file's: the output
// folder's own path must add nothing and change nothing.
func TestOutputFolderLooksPartitioned(t *testing.T) {
	plain := filepath.Join(t.TempDir(), "env=prod", "output")
	_, srv := start(t, Options{OutputDir: writeOutputs(t, mkdir(t, plain))})
	var sales, events modelEntry
	get(t, srv, "/api/models/sales").must(t, http.StatusOK).decode(t, &sales)
	get(t, srv, "/api/models/events").must(t, http.StatusOK).decode(t, &events)
	if len(sales.Columns) != 8 || len(events.Columns) != 3 || events.Columns[2].Name != "day" {
		t.Errorf("columns: %v %v", sales.Columns, events.Columns)
	}
	get(t, srv, "/api/models/events/rows?env=prod").must(t, http.StatusBadRequest)

	// A folder named after a column: the column keeps the file's values,
	// and the partition column is left out rather than risk it.
	clash := filepath.Join(t.TempDir(), "id=99", "output")
	_, srv = start(t, Options{OutputDir: writeOutputs(t, mkdir(t, clash))})
	if p := rows(t, srv, "/api/models/events/rows"); len(p.Columns) != 2 || p.ids()[0] != 5 {
		t.Errorf("clash: %+v", p)
	}
}

func TestCheckExposure(t *testing.T) {
	for _, c := range []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1", "", true},
		{"127.0.0.1:8080", "", true},
		{"::1", "", true},
		{"[::1]:8080", "", true},
		{"localhost", "", true},
		{"0.0.0.0", "", false},
		{"[::]:8080", "", false},
		{"", "", false},
		{"192.168.1.5", "", false},
		{"docs.example.com", "", false},
		{"0.0.0.0", "tok", true},
	} {
		if err := CheckExposure(c.addr, c.token); (err == nil) != c.ok {
			t.Errorf("%q token %q: %v", c.addr, c.token, err)
		}
	}
}

func TestServeStopsOnCancel(t *testing.T) {
	s, err := New(context.Background(), Options{OutputDir: writeOutputs(t, t.TempDir()), Models: fixtureModels})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	wide, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(context.Background(), wide); err == nil || !strings.Contains(err.Error(), "without a token") {
		t.Errorf("serving beyond loopback without a token: %v", err)
	}
	wide.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/api/models/sales")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("still answering after shutdown: %v", err)
	}
}
