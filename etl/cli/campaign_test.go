package cli

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// campaignRejectReasons are every reason bronze.campaign_transactions can
// give; the committed seeds must show each one.
var campaignRejectReasons = []string{
	"missing order_id", "order_id is not an integer",
	"missing uid", "uid is not an integer",
	"missing shop_id", "shop_id is not an integer",
	"missing shop_owner_uid", "shop_owner_uid is not an integer",
	"txn_time is not a YYYY-MM-DD HH:MM:SS time",
	"txn_date is not a YYYY-MM-DD date", "txn_date is not the day of txn_time",
	"missing gmv", "gmv is not a whole number", "gmv is negative",
	"missing rebate", "rebate is not a whole number", "rebate is negative",
	"duplicate order_id",
}

func TestCampaignSeeds(t *testing.T) {
	dir := copyProject(t)
	etl(t, dir, "build", "--select", "+tag:campaign+").must(t, 0).
		contains(t, "PASS test row_conservation_campaign_transactions", "Completed successfully.")
	w := runWarehouse(t, dir)

	type check struct {
		name  string
		query string
		args  []any
	}
	var checks []check
	for _, r := range campaignRejectReasons {
		checks = append(checks, check{"reject " + r, "SELECT count(*) FROM bronze.campaign_transactions_rejects WHERE _reject_reason = ?", []any{r}})
	}
	for _, r := range []string{"order_under_1000", "more_than_one_voucher_per_day", "rebate_over_cap", "buys_from_own_shop"} {
		checks = append(checks, check{"customer rule " + r, "SELECT count(*) FROM gold.suspected_fraud_customers WHERE reason = ?", []any{r}})
	}
	for _, r := range []string{"order_boosting", "owner_self_purchase"} {
		checks = append(checks, check{"shop rule " + r, "SELECT count(*) FROM gold.suspected_fraud_shops WHERE reason = ?", []any{r}})
	}
	for _, tier := range []string{"Gold", "Silver", "Bronze"} {
		checks = append(checks,
			check{"customer tier " + tier, "SELECT count(*) FROM gold.customer_spending_rank WHERE tier = ?", []any{tier}},
			check{"shop tier " + tier, "SELECT count(*) FROM gold.shop_selling_rank WHERE tier = ?", []any{tier}})
	}
	checks = append(checks,
		check{"summary total", "SELECT count(*) FROM gold.campaign_summary WHERE level = 'total' AND txn_date IS NULL", nil},
		check{"shop owners", "SELECT count(*) FROM gold.dim_shop_owner", nil})
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if n := queryInt(t, w, c.query, c.args...); n == 0 {
				t.Errorf("no rows for %s", c.name)
			}
		})
	}

	t.Run("no unknown reject reason", func(t *testing.T) {
		rows, err := w.QueryContext(context.Background(), "SELECT DISTINCT _reject_reason FROM bronze.campaign_transactions_rejects")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var r string
			if err := rows.Scan(&r); err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(campaignRejectReasons, r) {
				t.Errorf("unexpected reject reason %q", r)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCampaignReferenceFacts runs the public campaign data set and checks
// the facts published with it.
func TestCampaignReferenceFacts(t *testing.T) {
	needShared(t)
	dir := copyProject(t)
	landing := t.TempDir()
	write(t, filepath.Join(landing, "campaign_transactions.csv"),
		read(t, filepath.Join(sharedDir, "campaign-transactions/transaction_data.csv")))
	etl(t, dir, "build", "--select", "+tag:campaign", "--vars", "{seeds_dir: "+landing+"}").must(t, 0)
	w := runWarehouse(t, dir)

	const fraud = "SELECT count(*) FROM gold.suspected_fraud_customers WHERE reason = ?"
	tests := []struct {
		name  string
		query string
		args  []any
		want  int
	}{
		{"order_under_1000 customer-days", fraud, []any{"order_under_1000"}, 50},
		{"more_than_one_voucher_per_day customer-days", fraud, []any{"more_than_one_voucher_per_day"}, 242},
		{"no rebate_over_cap", fraud, []any{"rebate_over_cap"}, 0},
		{"no row rejected", "SELECT count(*) FROM bronze.campaign_transactions_rejects", nil, 0},
		{"every customer ranked", "SELECT count(*) FROM gold.customer_spending_rank", nil, 3093},
		{"every shop ranked", "SELECT count(*) FROM gold.shop_selling_rank", nil, 1385},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := queryInt(t, w, tt.query, tt.args...); got != tt.want {
				t.Errorf("%d, want %d", got, tt.want)
			}
		})
	}
}
