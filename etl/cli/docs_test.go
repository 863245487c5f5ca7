package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"html"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// svgIDs returns the ids of the lineage SVG's nodes and edges.
func svgIDs(t *testing.T, svg []byte) (nodes, edges map[string]bool) {
	t.Helper()
	nodes, edges = map[string]bool{}, map[string]bool{}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		el, ok := tok.(xml.StartElement)
		if !ok || el.Name.Local != "g" {
			continue
		}
		var id, class string
		for _, a := range el.Attr {
			switch a.Name.Local {
			case "id":
				id = a.Value
			case "class":
				class = a.Value
			}
		}
		switch {
		case strings.HasPrefix(class, "node"):
			nodes[id] = true
		case strings.HasPrefix(class, "edge"):
			edges[id] = true
		}
	}
	return nodes, edges
}

// The generated site's lineage holds every node and edge of manifest.json.
func TestDocsLineageHoldsTheManifest(t *testing.T) {
	dir := copyProject(t)
	etl(t, dir, "build").must(t, ExitOK)
	etl(t, dir, "docs", "generate").must(t, ExitOK).contains(t, "Wrote the docs site to")
	var m struct {
		Nodes, Sources map[string]json.RawMessage
		ParentMap      map[string][]string `json:"parent_map"`
	}
	if err := json.Unmarshal([]byte(read(t, filepath.Join(dir, "target", "manifest.json"))), &m); err != nil {
		t.Fatal(err)
	}
	nodes, edges := svgIDs(t, []byte(read(t, filepath.Join(dir, "target", "docs", "lineage.svg"))))
	var want int
	for _, group := range []map[string]json.RawMessage{m.Nodes, m.Sources} {
		for id := range group {
			want++
			if !nodes[id] {
				t.Errorf("node %s is not in the lineage", id)
			}
			if _, err := os.Stat(filepath.Join(dir, "target", "docs", "nodes", id+".html")); err != nil {
				t.Errorf("node %s has no page: %v", id, err)
			}
		}
	}
	for child, parents := range m.ParentMap {
		for _, p := range parents {
			if !edges[p+"->"+child] {
				t.Errorf("edge %s -> %s is not in the lineage", p, child)
			}
		}
	}
	if want < 100 || len(edges) < want {
		t.Fatalf("%d manifest nodes, %d edges drawn: the project should give hundreds", want, len(edges))
	}
	// A test's page shows its query as the last run compiled it.
	testPage := read(t, filepath.Join(dir, "target", "docs", "nodes", "test.etl_demo.unique_shipment_return_alerts_customer_id__month.html"))
	if !strings.Contains(testPage, "Compiled SQL") || !strings.Contains(testPage, "shipment_return_alerts") {
		t.Errorf("the test's page has no compiled SQL:\n%s", testPage)
	}
	for _, extra := range []string{"export:model.etl_demo.shipment_return_alerts", "delivery.etl_demo.shipment_return_alerts.email"} {
		if !nodes[extra] {
			t.Errorf("%s is not in the lineage", extra)
		}
	}
}

// chromium finds Debian's chromium, or skips.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium is not installed (Debian's chromium package; .ci/run installs it)")
	return ""
}

// headless runs chromium on a page of the site opened from disk.
func headless(t *testing.T, browser string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	full := append([]string{"--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=3000",
		"--user-data-dir=" + t.TempDir()}, args...)
	out, err := exec.CommandContext(ctx, browser, full...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", browser, args, err)
	}
	return out
}

// screenshot takes a screenshot of url and checks it shows something: a
// blank page is one colour. DOCS_SCREENSHOTS keeps them (the README's).
func screenshot(t *testing.T, browser, name, url, size string) {
	t.Helper()
	dir := os.Getenv("DOCS_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, name)
	headless(t, browser, "--window-size="+size, "--screenshot="+path, url)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	colours := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, bl, a}] = true
		}
	}
	if len(colours) < 20 {
		t.Errorf("%s shows %d colours: a blank page", name, len(colours))
	}
}

// Chromium opens the site from disk: the lineage is drawn and selecting a
// node highlights what feeds it and what it feeds; a model page shows its
// columns with the warehouse's types, tests, compiled SQL and last run.
func TestDocsSiteInChromium(t *testing.T) {
	browser := chromium(t)
	dir := copyProject(t)
	etl(t, dir, "build").must(t, ExitOK)
	etl(t, dir, "docs", "generate").must(t, ExitOK)
	site := filepath.Join(dir, "target", "docs")
	index := "file://" + filepath.Join(site, "index.html")
	screenshot(t, browser, "docs-index.png", index+"#node=model.etl_demo.shipment_return_alerts", "1400,900")
	page := "file://" + filepath.Join(site, "nodes", "model.etl_demo.shipment_return_alerts.html")
	screenshot(t, browser, "docs-model.png", page, "1200,1400")

	dom := html.UnescapeString(string(headless(t, browser, "--dump-dom", index+"#node=model.etl_demo.shipments_current")))
	for _, want := range []string{
		`id="model.etl_demo.shipments_current" class="node lineage-node kind-model status-success on picked"`,
		`id="model.etl_demo.shipment_return_alerts" class="node lineage-node kind-model status-success on down"`,
		`id="seed.etl_demo.shipments" class="node lineage-node kind-seed status-success on up"`,
		`model silver.shipments_current</a> · 2 upstream`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the index after selecting shipments_current lacks %q", want)
		}
	}
	if strings.Contains(dom, `id="model.etl_demo.invoice_averages" class="node lineage-node kind-model status-success on`) {
		t.Errorf("an unrelated model is highlighted")
	}
	dom = html.UnescapeString(string(headless(t, browser, "--dump-dom", page)))
	for _, want := range []string{"gold.shipment_return_alerts", "<code>problem_shipment_count</code></td><td>BIGINT</td>",
		"<code>month</code></td><td>DATE</td>", "unique_shipment_return_alerts_customer_id__month", "Compiled SQL",
		`FROM "silver"."shipments_current"`, "shipment_return_alerts.parquet", "Last run", "success"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the model page lacks %q", want)
		}
	}
}
