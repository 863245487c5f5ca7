package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var (
	shipmentIndividual = regexp.MustCompile(`^[0-9A-Fa-f]{24}$`)
	shipmentCompany    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*_[0-9]+$`)
	shipmentSpace      = regexp.MustCompile(`\s`)
	shipmentISODate    = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// shipmentVerdict is what bronze must decide for one vendor row, written
// independently of the SQL from DOMAIN.md's rules: the reject reason, or
// the customer kind and the conformed status of a kept row.
func shipmentVerdict(id, vendor, date, status string) (reason, kind, conformed string) {
	trim := func(s string) string { return strings.Trim(s, " ") }
	switch {
	case shipmentIndividual.MatchString(vendor):
		kind = "individual"
	case shipmentCompany.MatchString(vendor):
		kind = "company"
	}
	_, dateErr := time.Parse(time.DateOnly, trim(date))
	switch {
	case trim(id) == "":
		return "missing shipping_id", "", ""
	case trim(vendor) == "":
		return "missing order_vendor_dbname", "", ""
	case shipmentSpace.MatchString(vendor):
		return "order_vendor_dbname contains spaces", "", ""
	case kind == "":
		return "order_vendor_dbname is not a company or individual id", "", ""
	case trim(date) == "":
		return "missing shipping_date", "", ""
	case !shipmentISODate.MatchString(trim(date)):
		return "shipping_date is not YYYY-MM-DD", "", ""
	case dateErr != nil:
		return "shipping_date is not a calendar date", "", ""
	case trim(status) == "":
		return "missing shipping_status", "", ""
	}
	conformed = strings.ToLower(trim(status))
	if conformed == "canceled" {
		conformed = "cancelled"
	}
	return "", kind, conformed
}

// FuzzShipmentsBronze lands one arbitrary vendor row and holds the bronze
// model's verdict against shipmentVerdict: no text makes the build fail,
// and the row is kept or rejected for the expected reason.
func FuzzShipmentsBronze(f *testing.F) {
	for _, seed := range [][4]string{
		{"SHP1", "bigcolors_1381618804", "2023-01-05", "delivered"},
		{"SHP2", "foo_", "2023-13-01", " Cancelled "},
		{"", "", "", ""},
		{"SHP3", "6465208FBC1391265257ED5D", "2024-02-29", "RETURNED"},
		{"SHP4", "big colors_1", "01/06/2023", "returned"},
		{"SHP5", "a-b_1", "2023-02-30", "canceled"},
		{" SHP6 ", "_1", " 2023-01-05 ", "shipped"},
		{"SHP7", "x_1\n", "2023-1-5", "returned"},
		{"SHP8", "acme_100", "2023-06-01", "  "},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	f.Fuzz(func(t *testing.T, id, vendor, date, status string) {
		for _, s := range []string{id, vendor, date, status} {
			// Broken text and line ends are the loader's business, not bronze's.
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\r") {
				t.Skip("not a text value the loader accepts")
			}
		}
		dir, landing := copyProject(t), t.TempDir()
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		_ = w.WriteAll([][]string{{"shipping_id", "order_vendor_dbname", "shipping_date", "shipping_status"}, {id, vendor, date, status}})
		write(t, filepath.Join(landing, "shipments.csv"), buf.String())
		etl(t, dir, "build", "--select", "+shipments_records", "--vars", "{seeds_dir: '"+landing+"'}").must(t, 0)

		db := runWarehouse(t, dir)
		wantReason, wantKind, wantStatus := shipmentVerdict(id, vendor, date, status)
		var reason string
		err := db.QueryRowContext(context.Background(), "SELECT _reject_reason FROM bronze.shipments_records_rejects").Scan(&reason)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			t.Fatal(err)
		}
		row := []string{id, vendor, date, status}
		if reason != wantReason {
			t.Fatalf("%q: rejected for %q, want %q", row, reason, wantReason)
		}
		if wantReason != "" {
			return
		}
		var kind, day, got string
		err = db.QueryRowContext(context.Background(),
			"SELECT customer_kind, strftime(shipping_date, '%Y-%m-%d'), shipping_status FROM bronze.shipments_records").Scan(&kind, &day, &got)
		if err != nil {
			t.Fatal(err)
		}
		if kind != wantKind || day != strings.Trim(date, " ") || got != wantStatus {
			t.Fatalf("%q: kept as (%s, %s, %q), want (%s, %s, %q)", row, kind, day, got, wantKind, strings.Trim(date, " "), wantStatus)
		}
	})
}
