package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"etlrunner/etl/warehouse"
)

// modelEntry is a model in GET /api/models and GET /api/models/{name}.
type modelEntry struct {
	Name        string             `json:"name"`
	Description string             `json:"description"`
	Columns     []warehouse.Column `json:"columns"`
	Rows        int64              `json:"rows"`
	RowsURL     string             `json:"rows_url"`
	Files       []fileEntry        `json:"files"`
	Error       string             `json:"error,omitempty"`
}

type fileEntry struct {
	Path   string `json:"path"`
	Format string `json:"format"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256,omitempty"`
}

type listing struct {
	RunID       string       `json:"run_id"`
	GeneratedAt string       `json:"generated_at,omitempty"`
	Models      []modelEntry `json:"models"`
}

// model finds a model by name; the name is only ever a map key.
func (s *snapshot) model(name string) (*model, error) {
	m := s.models[name]
	switch {
	case m == nil && s.stamp == nil:
		return nil, notFound("no published outputs yet: run etl build first")
	case m == nil:
		return nil, notFound("no gold model %q with Parquet output", name)
	case m.err != nil:
		return nil, fmt.Errorf("model %s: %w", name, m.err)
	}
	return m, nil
}

// entry describes m; the columns are read from its files.
func (c *catalog) entry(ctx context.Context, s *snapshot, m *model) (modelEntry, error) {
	e := modelEntry{Name: m.doc.Name, Description: m.doc.Description, Columns: []warehouse.Column{}, Rows: m.rows,
		RowsURL: "/api/models/" + url.PathEscape(m.doc.Name) + "/rows", Files: []fileEntry{}}
	for _, f := range m.outputs {
		e.Files = append(e.Files, fileEntry{Path: f.Path, Format: string(f.Format), Rows: f.Rows, Bytes: f.Bytes, SHA256: f.SHA256})
	}
	if m.err != nil {
		return e, m.err
	}
	err := c.use(s, m, func() error {
		cols, _, err := m.columns(ctx, c.db, c.prefixKeys)
		if cols != nil {
			e.Columns = cols
		}
		return err
	})
	return e, err
}

func (c *catalog) list(ctx context.Context) (listing, error) {
	var out listing
	err := c.consistent(ctx, func(s *snapshot) error {
		out = listing{RunID: s.runID, Models: []modelEntry{}}
		if !s.generatedAt.IsZero() {
			out.GeneratedAt = s.generatedAt.UTC().Format(time.RFC3339)
		}
		for _, name := range s.names {
			e, err := c.entry(ctx, s, s.models[name])
			if errors.Is(err, errPublishing) {
				return err
			}
			if err != nil {
				// One unreadable model does not hide the others.
				e.Error = err.Error()
			}
			out.Models = append(out.Models, e)
		}
		return nil
	})
	return out, err
}

func (c *catalog) one(ctx context.Context, name string) (modelEntry, error) {
	var out modelEntry
	err := c.consistent(ctx, func(s *snapshot) error {
		m, err := s.model(name)
		if err != nil {
			return err
		}
		out, err = c.entry(ctx, s, m)
		return err
	})
	return out, err
}

func (s *Server) listModels(w http.ResponseWriter, r *http.Request) {
	l, err := s.cat.list(r.Context())
	s.reply(w, r, l, err)
}

func (s *Server) getModel(w http.ResponseWriter, r *http.Request) {
	e, err := s.cat.one(r.Context(), r.PathValue("name"))
	s.reply(w, r, e, err)
}

func (s *Server) getRows(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r.URL.RawQuery)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.cat.rows(r.Context(), r.PathValue("name"), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(a.body)
}

// otherAPI answers what no route matched: the API only reads.
func (s *Server) otherAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.fail(w, r, &apiError{status: http.StatusMethodNotAllowed, msg: "the API is read-only: use GET"})
		return
	}
	s.fail(w, r, notFound("no such endpoint: see GET /api/models"))
}

func (s *Server) reply(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(append(data, '\n'))
}
