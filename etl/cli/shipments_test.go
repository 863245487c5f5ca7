package cli

import (
	"context"
	"strings"
	"testing"
)

// The committed seeds plant every reject reason and every rule; the build
// (with its row audits and the threshold test) passes on them.
func TestShipmentsDefaultSeeds(t *testing.T) {
	dir := copyProject(t)
	etl(t, dir, "build", "--select", "+tag:shipments+").must(t, 0).
		contains(t, "row_conservation_shipments_records", "row_conservation_shipments_clients", "shipments_alert_threshold", "Completed successfully.")
	db := runWarehouse(t, dir)

	reasons := map[string][]string{
		"shipments_records_rejects": {
			"missing shipping_id",
			"missing order_vendor_dbname",
			"order_vendor_dbname contains spaces",
			"order_vendor_dbname is not a company or individual id",
			"missing shipping_date",
			"shipping_date is not YYYY-MM-DD",
			"shipping_date is not a calendar date",
			"missing shipping_status",
			"duplicate shipping_id: a later row replaces it",
		},
		"shipments_clients_rejects": {
			"missing identification_number",
			"identification_number is not a company or individual id",
			"email is not an address",
			"duplicate identification_number: a later row replaces it",
		},
	}
	for table, list := range reasons {
		for _, reason := range list {
			t.Run(table+"/"+reason, func(t *testing.T) {
				if n := queryInt(t, db, "SELECT count(*) FROM bronze."+table+" WHERE _reject_reason = ?", reason); n == 0 {
					t.Errorf("no row rejected with %q", reason)
				}
			})
		}
	}

	alerts := []struct {
		name, customer, month string
		count                 int // 0: no alert
		email                 string
	}{
		{"exactly at the threshold, spelling variants, latest client row", "lojadobairro_2000000001", "2023-05-01", 3, "financeiro@lojadobairro.example.com"},
		{"just below: the superseded returned row does not count", "modaverao_2000000002", "2023-06-01", 0, ""},
		{"same month of two years does not add up (2022)", "casaverde_2000000003", "2022-03-01", 0, ""},
		{"same month of two years does not add up (2023)", "casaverde_2000000003", "2023-03-01", 0, ""},
		{"individual, a later row turns a shipment returned, client id upper-cased", "6465208fbc1391265257ed5d", "2022-11-01", 4, "maria.souza@example.com"},
		{"unknown client: listed without contact", "64a1f0c2e4b0d9a7c3f51e88", "2023-08-01", 3, ""},
	}
	for _, a := range alerts {
		t.Run(a.name, func(t *testing.T) {
			rows := queryInt(t, db, "SELECT count(*) FROM gold.shipment_return_alerts WHERE customer_id = ? AND month = CAST(? AS DATE)", a.customer, a.month)
			if a.count == 0 {
				if rows != 0 {
					t.Fatalf("%s %s alerted, want no alert", a.customer, a.month)
				}
				return
			}
			n := queryInt(t, db, `SELECT count(*) FROM gold.shipment_return_alerts
				WHERE customer_id = ? AND month = CAST(? AS DATE) AND problem_shipment_count = ? AND coalesce(client_email, '') = ?`,
				a.customer, a.month, a.count, a.email)
			if n != 1 {
				t.Fatalf("%s %s: want one alert of %d with e-mail %q (found %d alerts for the month)", a.customer, a.month, a.count, a.email, rows)
			}
		})
	}

	t.Run("extra columns are carried through", func(t *testing.T) {
		if n := queryInt(t, db, "SELECT count(*) FROM silver.shipments_current WHERE _extra['carrier'] IS NULL OR _extra['weight_kg'] IS NULL"); n != 0 {
			t.Errorf("%d shipments lack the carrier or weight_kg extra column", n)
		}
	})
	t.Run("every landed row is kept or rejected", func(t *testing.T) {
		landed := queryInt(t, db, "SELECT count(*) FROM raw.shipments")
		kept := queryInt(t, db, "SELECT count(*) FROM silver.shipments_current")
		rejected := queryInt(t, db, "SELECT count(*) FROM bronze.shipments_records_rejects")
		if landed != kept+rejected || rejected == 0 {
			t.Errorf("landed %d, kept %d, rejected %d", landed, kept, rejected)
		}
	})
}

// The threshold is a variable: lowering it to 2 alerts the customer just
// below it, and the same month of two years gives two alerts of 2, never one
// of 4; raising it to 4 leaves only the customer with 4.
func TestShipmentsThresholdVariable(t *testing.T) {
	cases := []struct {
		threshold string
		want      []string // planted customers' alerts: customer month count
	}{
		{"2", []string{
			"6465208fbc1391265257ed5d 2022-11-01 4",
			"64a1f0c2e4b0d9a7c3f51e88 2023-08-01 3",
			"casaverde_2000000003 2022-03-01 2",
			"casaverde_2000000003 2023-03-01 2",
			"lojadobairro_2000000001 2023-05-01 3",
			"modaverao_2000000002 2023-06-01 2",
		}},
		{"4", []string{"6465208fbc1391265257ed5d 2022-11-01 4"}},
	}
	dir := copyProject(t)
	for _, tc := range cases {
		t.Run("alert_min_problem_orders="+tc.threshold, func(t *testing.T) {
			etl(t, dir, "build", "--select", "+tag:shipments+", "--vars", "{alert_min_problem_orders: "+tc.threshold+"}").must(t, 0)
			db := runWarehouse(t, dir)
			rows, err := db.QueryContext(context.Background(), `SELECT customer_id || ' ' || month || ' ' || problem_shipment_count
				FROM gold.shipment_return_alerts
				WHERE customer_id IN ('lojadobairro_2000000001', 'modaverao_2000000002', 'casaverde_2000000003',
					'6465208fbc1391265257ed5d', '64a1f0c2e4b0d9a7c3f51e88')
				ORDER BY ALL`)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				got = append(got, s)
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
			// The next build needs the warehouse file to itself.
			db.Close()
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("alerts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
