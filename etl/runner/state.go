package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"etlrunner/etl/export"
	"etlrunner/etl/materialize"
	"etlrunner/etl/plan"
	"etlrunner/etl/warehouse"
)

// state remembers what each node was last built from, so a run skips the
// models, tests and exports whose inputs have not changed since they last
// succeeded. A node's version is its fingerprint: a hash of its compiled
// SQL, its config and the versions of what it reads; a seed's version is a
// hash of its ledger (the files loaded and their checksums). Changing a
// landing file, a model's SQL or config, or anything upstream changes the
// fingerprints downstream of it, and only those nodes run.
type state struct {
	mu        sync.Mutex
	saved     map[string]string // node id -> fingerprint of its last success
	current   map[string]string // node id -> version in this run
	save      map[string]string // fingerprints to record ("" forgets one)
	relations map[string]string // "schema.name" -> "table" or "view"
	published map[string][]export.File
}

// loadState reads what earlier runs recorded.
func (r *runner) loadState(ctx context.Context) error {
	s := &state{saved: map[string]string{}, current: map[string]string{}, save: map[string]string{},
		relations: map[string]string{}, published: map[string][]export.File{}}
	r.state = s
	if err := scanPairs(ctx, r.wh.DB, "SELECT node_id, fingerprint FROM etl_meta.node_state", s.saved); err != nil {
		return fmt.Errorf("read node state: %w", err)
	}
	err := scanPairs(ctx, r.wh.DB, `SELECT table_schema || '.' || table_name,
		CASE WHEN table_type = 'VIEW' THEN 'view' ELSE 'table' END FROM information_schema.tables`, s.relations)
	if err != nil {
		return fmt.Errorf("read catalog: %w", err)
	}
	// No manifest, or an unreadable one: every export runs.
	m, _ := export.ReadManifest(r.outputDir())
	for _, f := range m.Files {
		s.published[f.Model] = append(s.published[f.Model], f)
	}
	return nil
}

func scanPairs(ctx context.Context, q warehouse.Querier, query string, into map[string]string) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		into[k] = v
	}
	return rows.Err()
}

// version is what a node's dependents see of it in this run.
func (r *runner) version(ctx context.Context, id string) (string, error) {
	s := r.state
	s.mu.Lock()
	v, ok := s.current[id]
	if !ok {
		v, ok = s.saved[id]
	}
	s.mu.Unlock()
	if ok {
		return v, nil
	}
	n := r.node(id)
	if n == nil || n.Kind != plan.SeedNode {
		return "", nil // never built: its dependents cannot be up to date
	}
	v, err := r.seedVersion(ctx, n)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.current[id] = v
	s.mu.Unlock()
	return v, nil
}

// seedVersion hashes a seed's ledger: the files loaded and their checksums.
func (r *runner) seedVersion(ctx context.Context, n *plan.Node) (string, error) {
	return r.ledgerHash(ctx, n, "")
}

// ledgerHash hashes the ledger entries of a seed that cond (SQL on the
// ledger's columns, with args) keeps.
func (r *runner) ledgerHash(ctx context.Context, n *plan.Node, cond string, args ...any) (string, error) {
	var ledger string
	err := r.wh.DB.QueryRowContext(ctx, `SELECT coalesce(string_agg(path || ' ' || sha256, chr(10) ORDER BY path), '')
		FROM etl_meta.file_ledger WHERE seed = ? `+cond, append([]any{n.Name}, args...)...).Scan(&ledger)
	if err != nil {
		return "", fmt.Errorf("seed %s version: %w", n.Name, err)
	}
	return hashOf("seed", ledger), nil
}

// latestLoad is the time of a seed's latest load, as the _loaded_at of its
// rows says it ("" when nothing is loaded).
func (r *runner) latestLoad(ctx context.Context, n *plan.Node) (string, error) {
	var at string
	err := r.wh.DB.QueryRowContext(ctx, `SELECT coalesce(strftime(max(loaded_at) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ'), '')
		FROM etl_meta.file_ledger WHERE seed = ?`, n.Name).Scan(&at)
	if err != nil {
		return "", fmt.Errorf("seed %s latest load: %w", n.Name, err)
	}
	return at, nil
}

// fingerprint hashes what a node is built from: its kind, text and config,
// and the versions of the nodes it reads in the plan.
func (r *runner) fingerprint(ctx context.Context, id, text string, config any) (string, error) {
	cfg, err := json.Marshal(config)
	if err != nil {
		return "", err
	}
	parts := []string{id, text, string(cfg)}
	for _, dep := range r.pl.Graph.Deps(id) {
		v, err := r.version(ctx, dep)
		if err != nil {
			return "", err
		}
		parts = append(parts, dep+"="+v)
	}
	return hashOf(parts...), nil
}

func hashOf(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// upToDate reports whether a node may be skipped: not a full refresh, and
// its last success was built from exactly this.
func (r *runner) upToDate(id, fp string) bool {
	if r.opts.FullRefresh {
		return false
	}
	r.state.mu.Lock()
	defer r.state.mu.Unlock()
	return r.state.saved[id] == fp
}

// built records the version a node has after this run. A failed node is
// forgotten, so the next run builds it again.
func (r *runner) built(id, fp string, ok bool) {
	r.state.mu.Lock()
	defer r.state.mu.Unlock()
	if ok {
		r.state.current[id] = fp
		r.state.save[id] = fp
		return
	}
	r.state.current[id] = "failed"
	r.state.save[id] = ""
}

// passedOn records the mark of a test's scope after a skipped test: it is
// written only when it differs from the one saved, so a run that finds
// nothing new writes nothing for it.
func (r *runner) passedOn(id, mark string) {
	r.state.mu.Lock()
	defer r.state.mu.Unlock()
	r.state.current[id] = mark
	if r.state.saved[id] != mark {
		r.state.save[id] = mark
	}
}

// reuse records that a skipped node keeps the version it had.
func (r *runner) reuse(id, fp string) {
	r.state.mu.Lock()
	defer r.state.mu.Unlock()
	r.state.current[id] = fp
}

// hasRelation reports whether schema.name exists as the given kind.
func (r *runner) hasRelation(schema, name, kind string) bool {
	return r.state.relations[schema+"."+name] == kind
}

// saveState writes the fingerprints of this run in one transaction.
func (r *runner) saveState(ctx context.Context) error {
	if len(r.state.save) == 0 {
		return nil
	}
	conn, err := r.wh.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = materialize.InTx(ctx, conn, func() error { return writeState(ctx, conn, r.state.save, r.runID) })
	if err != nil {
		return fmt.Errorf("save node state: %w", err)
	}
	return nil
}

// writeState replaces the fingerprints of the nodes in save (an empty one
// forgets the node) inside the caller's transaction.
func writeState(ctx context.Context, q warehouse.Querier, save map[string]string, runID string) error {
	var ids, rows []string
	for id, fp := range save {
		ids = append(ids, warehouse.QuoteString(id))
		if fp != "" {
			rows = append(rows, fmt.Sprintf("(%s, %s, %s, now())", warehouse.QuoteString(id), warehouse.QuoteString(fp), warehouse.QuoteString(runID)))
		}
	}
	if _, err := q.ExecContext(ctx, "DELETE FROM etl_meta.node_state WHERE node_id IN ("+strings.Join(ids, ", ")+")"); err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := q.ExecContext(ctx, "INSERT INTO etl_meta.node_state VALUES "+strings.Join(rows, ", "))
	return err
}
