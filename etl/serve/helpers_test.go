package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"etlrunner/etl/warehouse"
)

// syncBuffer is a log the server writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start serves the fixture's outputs (a new folder unless opts names one)
// on a loopback port.
func start(t *testing.T, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	if opts.OutputDir == "" {
		opts.OutputDir = writeOutputs(t, t.TempDir())
	}
	if opts.Models == nil {
		opts.Models = fixtureModels
	}
	if opts.DocsDir == "" {
		opts.DocsDir = filepath.Join(t.TempDir(), "docs")
	}
	s, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		s.Close()
	})
	return s, srv
}

func newLogger(buf io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(buf, nil)) }

type response struct {
	status int
	header http.Header
	body   string
}

// get requests path (already escaped) with optional header pairs.
func get(t *testing.T, srv *httptest.Server, path string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

// rowsPage is the JSON answer of /rows.
type rowsPage struct {
	Model   string             `json:"model"`
	Columns []warehouse.Column `json:"columns"`
	Rows    []map[string]any   `json:"rows"`
	Limit   int64              `json:"limit"`
	Offset  int64              `json:"offset"`
	Total   int64              `json:"total"`
}

func (r response) must(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// ids are the id column of a page, in order.
func (p rowsPage) ids() []int {
	var out []int
	for _, r := range p.Rows {
		out = append(out, int(r["id"].(float64)))
	}
	return out
}

func rows(t *testing.T, srv *httptest.Server, path string, header ...string) rowsPage {
	t.Helper()
	var p rowsPage
	get(t, srv, path, header...).must(t, http.StatusOK).decode(t, &p)
	return p
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}
