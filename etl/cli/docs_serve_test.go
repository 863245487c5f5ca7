package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"etlrunner/etl/export"
)

// serveLog is the server's stderr, written while the test reads it.
type serveLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *serveLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *serveLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runDocsServe runs `etl docs serve` through Run once the docs command
// holds it, and until then through the same app with it added.
func runDocsServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	docs := findCommand(app.Commands, "docs")
	if findCommand(docs.Subcommands, "serve") != nil {
		return Run(ctx, args, stdout, stderr)
	}
	docs.Subcommands = append(docs.Subcommands, docsServeCommand())
	if err := app.RunContext(ctx, interspersed(app, args)); err != nil {
		fmt.Fprintf(stderr, "error: %s\n", err)
		return ExitProblem
	}
	return ExitOK
}

// served is a running `etl docs serve`.
type served struct {
	url    string
	stderr *serveLog
	stop   func() int // cancels the command's context and returns its exit code
}

// startDocsServe starts the command on a free loopback port and reads the
// address it prints.
func startDocsServe(t *testing.T, dir string, args ...string) served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, pw := io.Pipe()
	stderr := &serveLog{}
	code := make(chan int, 1)
	go func() {
		code <- runDocsServe(ctx, append([]string{"etl", "docs", "serve", "--project-dir", dir, "--port", "0"}, args...), pw, stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("no address printed (%v); exit %d, stderr:\n%s", err, <-code, stderr.String())
	}
	go io.Copy(io.Discard, out)
	const prefix = "Serving docs and API on http://127.0.0.1:"
	if !strings.HasPrefix(line, prefix) || !strings.HasSuffix(line, " (Ctrl-C to stop)\n") {
		t.Fatalf("printed %q", line)
	}
	url := strings.TrimSuffix(strings.TrimPrefix(line, "Serving docs and API on "), " (Ctrl-C to stop)\n")
	s := served{url: url, stderr: stderr, stop: func() int { cancel(); return <-code }}
	t.Cleanup(func() { cancel() })
	return s
}

// fetch requests path and decodes a JSON answer into v (when not nil).
func (s served) fetch(path, token string, v any) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		return 0, "", err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", err
	}
	if v != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, v); err != nil {
			return resp.StatusCode, string(body), err
		}
	}
	return resp.StatusCode, string(body), nil
}

type apiRows struct {
	Rows  []map[string]any `json:"rows"`
	Total int64            `json:"total"`
}

// publishedRows are a model's rows in Parquet as output/_manifest.json says.
func publishedRows(t *testing.T, dir, model string) int64 {
	t.Helper()
	var m export.Manifest
	if err := json.Unmarshal([]byte(read(t, filepath.Join(dir, "output", export.ManifestName))), &m); err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, f := range m.Files {
		if f.Model == model && f.Format == export.Parquet {
			n += f.Rows
		}
	}
	if n == 0 {
		t.Fatalf("the manifest lists no Parquet rows of %s", model)
	}
	return n
}

// The API over a real build: filters and paging on a gold model, CSV, the
// site, and requests while `etl build --full-refresh` runs in the same
// process: every answer is the complete published model, and the build
// is not blocked by the server.
func TestDocsServe(t *testing.T) {
	dir := copyProject(t)
	etl(t, dir, "build").must(t, ExitOK)
	etl(t, dir, "docs", "generate").must(t, ExitOK)
	invoices, details := publishedRows(t, dir, "invoice_averages"), publishedRows(t, dir, "notification_detail")
	// No rate limit: the test asks as fast as it can.
	s := startDocsServe(t, dir, "--rate", "0")

	var list struct {
		RunID  string `json:"run_id"`
		Models []struct {
			Name    string `json:"name"`
			Rows    int64  `json:"rows"`
			Columns []struct{ Name, Type string }
			Error   string `json:"error"`
		} `json:"models"`
	}
	if code, body, err := s.fetch("/api/models", "", &list); code != http.StatusOK || err != nil {
		t.Fatalf("list: %d %v %s", code, err, body)
	}
	models := map[string]int64{}
	for _, m := range list.Models {
		models[m.Name] = m.Rows
		if m.Error != "" || len(m.Columns) == 0 {
			t.Errorf("%s: %d columns, error %q", m.Name, len(m.Columns), m.Error)
		}
		// Every type the project's models have renders as JSON and CSV.
		var p apiRows
		if code, body, err := s.fetch("/api/models/"+m.Name+"/rows?limit=20", "", &p); code != http.StatusOK || err != nil || int64(len(p.Rows)) != min(20, m.Rows) {
			t.Errorf("%s rows: %d %v %.300s", m.Name, code, err, body)
		}
		if code, body, _ := s.fetch("/api/models/"+m.Name+"/rows?format=csv", "", nil); code != http.StatusOK {
			t.Errorf("%s csv: %d %.300s", m.Name, code, body)
		}
	}
	if len(models) < 10 {
		t.Errorf("listed %v", models)
	}
	if models["invoice_averages"] != invoices || models["notification_detail"] != details {
		t.Errorf("listed %v", models)
	}
	if _, ok := models["invoice_months"]; ok {
		t.Errorf("a silver model is listed: %v", models)
	}

	for _, c := range []struct {
		query    string
		accounts []string
		total    int64
	}{
		{"customer=C1000", []string{"A1100", "A1200", "A1300"}, 3},
		{"customer=C1000&account=A1200", []string{"A1200"}, 1},
		{"customer=C1000&limit=2&offset=1", []string{"A1200", "A1300"}, 3},
		{"customer=C1000&limit=1&offset=3", nil, 3},
		{"customer=C3000", nil, 0},
		{"customer=%27%20OR%20%271%27%3D%271", nil, 0},
		{"limit=10", []string{"A1100", "A1200", "A1300", "A2100"}, invoices},
	} {
		var p apiRows
		if code, body, err := s.fetch("/api/models/invoice_averages/rows?"+c.query, "", &p); code != http.StatusOK || err != nil {
			t.Fatalf("%s: %d %v %s", c.query, code, err, body)
		}
		var accounts []string
		for _, r := range p.Rows {
			accounts = append(accounts, r["account"].(string))
		}
		if strings.Join(accounts, ",") != strings.Join(c.accounts, ",") || p.Total != c.total {
			t.Errorf("%s: %v of %d, want %v of %d", c.query, accounts, p.Total, c.accounts, c.total)
		}
	}
	code, body, _ := s.fetch("/api/models/invoice_averages/rows?account=A1100&format=csv", "", nil)
	if want := "customer,account,avg_invoices_last_3_months,avg_invoices_last_6_months\nC1000,A1100,56333.33,41416.66\n"; code != http.StatusOK || body != want {
		t.Errorf("csv: %d %q, want %q", code, body, want)
	}
	code, body, _ = s.fetch("/api/models/invoice_averages/rows?nope=1", "", nil)
	if code != http.StatusBadRequest || !strings.Contains(body, "nope") {
		t.Errorf("unknown column: %d %s", code, body)
	}
	if code, body, _ = s.fetch("/", "", nil); code != http.StatusOK || !strings.Contains(body, "<html") {
		t.Errorf("site: %d %.200s", code, body)
	}

	// A build in the same process, on another reference month, while
	// requests keep coming: each answer is the model as one build or the
	// other published it, whole.
	_, before, _ := s.fetch("/api/models/invoice_averages/rows", "", nil)
	var buildOut, buildErr bytes.Buffer
	built := make(chan int, 1)
	go func() {
		built <- Run(context.Background(), []string{"etl", "build", "--project-dir", dir, "--full-refresh",
			"--vars", "{invoice_reference_month: '2020-02-01'}"}, &buildOut, &buildErr)
	}()
	var answers []string
	for running := true; running; {
		select {
		case code := <-built:
			if code != ExitOK {
				t.Fatalf("the build beside the server: exit %d\n%s\n%s", code, buildOut.String(), buildErr.String())
			}
			running = false
			continue
		default:
		}
		var p apiRows
		code, body, err := s.fetch("/api/models/invoice_averages/rows", "", &p)
		if code != http.StatusOK || err != nil || p.Total != invoices || int64(len(p.Rows)) != invoices {
			t.Fatalf("during the build: %d %v, %d of %d rows: %s", code, err, len(p.Rows), p.Total, body)
		}
		answers = append(answers, body)
		code, body, err = s.fetch("/api/models/notification_detail/rows?limit=0", "", &p)
		if code != http.StatusOK || err != nil || p.Total != details {
			t.Fatalf("during the build: %d %v, total %d of %d: %s", code, err, p.Total, details, body)
		}
	}
	if len(answers) == 0 {
		t.Fatal("no request was made while the build ran")
	}
	_, after, _ := s.fetch("/api/models/invoice_averages/rows", "", nil)
	if after == before {
		t.Fatalf("the second build changed nothing: %s", after)
	}
	for _, a := range answers {
		if a != before && a != after {
			t.Errorf("an answer during the build is neither build's:\n%s\nbefore:\n%s\nafter:\n%s", a, before, after)
		}
	}
	if !strings.Contains(buildOut.String(), "Published") {
		t.Errorf("the build published nothing:\n%s", buildOut.String())
	}
	// The server reads what the new build published.
	var run struct {
		RunID string `json:"run_id"`
	}
	if s.fetch("/api/models", "", &run); run.RunID == list.RunID || run.RunID == "" {
		t.Errorf("run %q after the build, %q before", run.RunID, list.RunID)
	}

	if code := s.stop(); code != ExitOK {
		t.Errorf("serve exited %d:\n%s", code, s.stderr.String())
	}
	log := s.stderr.String()
	if !strings.Contains(log, "msg=request method=GET path=/api/models/invoice_averages/rows status=200") {
		t.Errorf("no request log:\n%.2000s", log)
	}
	t.Logf("%d requests during the build", len(answers))
}

func TestDocsServeToken(t *testing.T) {
	dir := copyProject(t)
	etl(t, dir, "build", "--select", "+invoice_averages").must(t, ExitOK)
	t.Setenv("ETL_DOCS_TOKEN", "from-the-env")
	s := startDocsServe(t, dir)
	for token, want := range map[string]int{"": http.StatusUnauthorized, "wrong": http.StatusUnauthorized, "from-the-env": http.StatusOK} {
		if code, body, _ := s.fetch("/api/models/invoice_averages/rows?customer=C2000", token, nil); code != want {
			t.Errorf("token %q: %d %s, want %d", token, code, body, want)
		}
	}
	s.stop()
	if strings.Contains(s.stderr.String(), "from-the-env") {
		t.Errorf("the log shows the token:\n%s", s.stderr.String())
	}
}

// Beyond loopback without a token: refused before listening, exit 2.
func TestDocsServeRefusesOpenBind(t *testing.T) {
	dir := copyProject(t)
	t.Setenv("ETL_DOCS_TOKEN", "")
	var out, errOut bytes.Buffer
	code := runDocsServe(context.Background(), []string{"etl", "docs", "serve", "--project-dir", dir, "--host", "0.0.0.0", "--port", "0"}, &out, &errOut)
	if code != ExitProblem || !strings.Contains(errOut.String(), "without a token") || out.Len() != 0 {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
}
