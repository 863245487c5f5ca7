package serve

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"etlrunner/etl/warehouse"
)

// No text of a request ever reaches DuckDB as SQL: names that match no
// model or column are refused before any statement, values are bound. The
// proof is DuckDB's own query log of the server's database: no statement
// it ran holds any of the attempts, and the table they try to create does
// not exist.
func TestInjection(t *testing.T) {
	s, srv := start(t, Options{})
	ctx := context.Background()
	if err := warehouse.EnableQueryLog(ctx, s.wh.DB); err != nil {
		t.Fatal(err)
	}
	create := "1); CREATE TABLE pwned(x INT); --"
	for _, name := range []string{"x;DROP TABLE sales", "../../etc/passwd", `sales"`, "sales'--", "sales'; " + create, "*"} {
		for _, path := range []string{"/api/models/" + url.PathEscape(name), "/api/models/" + url.PathEscape(name) + "/rows"} {
			get(t, srv, path).must(t, http.StatusNotFound)
		}
	}
	for _, col := range []string{`"a" OR 1=1 --`, `region" = region OR "1`, "region;" + create, "file_index"} {
		r := get(t, srv, "/api/models/sales/rows?"+url.Values{col: {"north"}}.Encode()).must(t, http.StatusBadRequest)
		if !strings.Contains(r.body, "no column") {
			t.Errorf("column %q: %s", col, r.body)
		}
	}
	// Values compare as literals: zero rows where no value is the text,
	// exactly the row whose note is it.
	for _, v := range []string{"' OR '1'='1", "north' OR '1'='1", create, "north'; " + create} {
		if p := rows(t, srv, "/api/models/sales/rows?"+url.Values{"region": {v}}.Encode()); len(p.Rows) != 0 || p.Total != 0 {
			t.Errorf("region=%q matched %v", v, p.ids())
		}
	}
	if p := rows(t, srv, "/api/models/sales/rows?"+url.Values{"note": {"' OR '1'='1"}}.Encode()); len(p.Rows) != 1 || p.ids()[0] != 4 {
		t.Errorf("note = the attempt's text: %v", p.ids())
	}
	get(t, srv, "/api/models/sales/rows?"+url.Values{"id": {create}}.Encode()).must(t, http.StatusBadRequest)
	get(t, srv, "/api/models/sales/rows?"+url.Values{"limit": {"1; " + create}}.Encode()).must(t, http.StatusBadRequest)

	logged, err := s.wh.DB.QueryContext(ctx, "SELECT message FROM duckdb_logs WHERE type = 'QueryLog'")
	if err != nil {
		t.Fatal(err)
	}
	_, stmts, err := warehouse.TextRows(logged)
	if err != nil {
		t.Fatal(err)
	}
	var reads int
	for _, st := range stmts {
		q := st[0]
		if strings.Contains(q, "read_parquet") {
			reads++
		}
		for _, bad := range []string{"pwned", "DROP", "OR '1'", "OR 1=1", "passwd", "--"} {
			if strings.Contains(q, bad) {
				t.Errorf("DuckDB ran a statement holding %q: %s", bad, q)
			}
		}
	}
	if reads == 0 {
		t.Fatalf("the query log holds no reads of the outputs: %v", stmts)
	}
	var pwned int
	if err := s.wh.DB.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'pwned'").Scan(&pwned); err != nil || pwned != 0 {
		t.Fatalf("pwned tables: %d (%v)", pwned, err)
	}
}

// Even a statement the server would never run cannot reach beyond the
// output folder.
func TestReaderStaysInOutputs(t *testing.T) {
	s, _ := start(t, Options{})
	ctx := context.Background()
	for _, stmt := range []string{
		"SELECT * FROM read_text('/etc/hostname')",
		"SET GLOBAL enable_external_access = true",
		"SET GLOBAL allowed_directories = ['/']",
		"INSTALL httpfs",
	} {
		if _, err := s.wh.DB.ExecContext(ctx, stmt); err == nil {
			t.Errorf("%s: succeeded", stmt)
		}
	}
}

func TestToken(t *testing.T) {
	_, srv := start(t, Options{Token: "s3cret-token"})
	for _, c := range []struct {
		auth      string
		status    int
		challenge string
	}{
		{"", http.StatusUnauthorized, `Bearer realm="etl"`},
		{"Bearer wrong", http.StatusUnauthorized, `Bearer realm="etl", error="invalid_token"`},
		{"Bearer s3cret-toke", http.StatusUnauthorized, `Bearer realm="etl", error="invalid_token"`},
		{"Bearer s3cret-token-and-more", http.StatusUnauthorized, `Bearer realm="etl", error="invalid_token"`},
		{"Basic " + basic("u", "s3cret-token"), http.StatusUnauthorized, `Bearer realm="etl"`}, // the API takes only Bearer
		{"s3cret-token", http.StatusUnauthorized, `Bearer realm="etl"`},
		{"Bearer s3cret-token", http.StatusOK, ""},
		{"bearer s3cret-token", http.StatusOK, ""},
	} {
		for _, path := range []string{"/api/models", "/api/models/sales/rows?region=north", "/api/models/nope"} {
			r := get(t, srv, path, "Authorization", c.auth)
			want := c.status
			if want == http.StatusOK && path == "/api/models/nope" {
				want = http.StatusNotFound
			}
			if r.status != want || r.header.Get("WWW-Authenticate") != c.challenge {
				t.Errorf("%s with %q: %d %q, want %d %q", path, c.auth, r.status, r.header.Get("WWW-Authenticate"), want, c.challenge)
			}
		}
	}
}

func basic(user, password string) string {
	req, _ := http.NewRequest(http.MethodGet, "http://x", nil)
	req.SetBasicAuth(user, password)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

func TestRateLimit(t *testing.T) {
	// A rate so low that no token comes back during the test.
	_, srv := start(t, Options{Rate: 0.001, Burst: 3})
	for range 3 {
		get(t, srv, "/api/models/sales").must(t, http.StatusOK)
	}
	r := get(t, srv, "/api/models/sales").must(t, http.StatusTooManyRequests)
	if after, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || after < 1 {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	// The site counts too, and bad tokens cannot be tried faster.
	get(t, srv, "/").must(t, http.StatusTooManyRequests)
}

func TestRequestLog(t *testing.T) {
	var log syncBuffer
	_, srv := start(t, Options{Token: "s3cret-token", Logger: newLogger(&log)})
	get(t, srv, "/api/models/sales/rows?region=north", "Authorization", "Bearer s3cret-token").must(t, http.StatusOK)
	// A token misplaced in the query string is no filter, and not logged.
	get(t, srv, "/api/models/sales/rows?token=s3cret-token", "Authorization", "Bearer s3cret-token").must(t, http.StatusBadRequest)
	get(t, srv, "/api/models", "Authorization", "Bearer s3cret-token-guess").must(t, http.StatusUnauthorized)
	text := log.String()
	for _, want := range []string{
		"msg=request method=GET path=/api/models/sales/rows status=200 bytes=",
		"msg=request method=GET path=/api/models status=401 bytes=",
		"msg=request method=GET path=/api/models/sales/rows status=400 bytes=",
		"duration=", "client=127.0.0.1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("log lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "s3cret") || strings.Contains(text, "Bearer") {
		t.Errorf("the log shows the token:\n%s", text)
	}
	if n := strings.Count(text, "msg=request"); n != 3 {
		t.Errorf("%d request lines, want 3:\n%s", n, text)
	}
}
