package cli

import (
	"database/sql"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// campaignSQL renders a query with the project's macros and the campaign's
// default variables.
func campaignSQL(t testing.TB, query string) string {
	return macroSQL(t, query, map[string]any{"voucher_rebate_rate": 0.30, "voucher_rebate_cap": 20000})
}

var (
	campaignIDText   = regexp.MustCompile(`^([0-9]{1,18})$`)
	campaignVNDText  = regexp.MustCompile(`^([+-]?[0-9]{1,18})(\.0*)?$`)
	campaignDayText  = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}( 00:00:00)?$`)
	campaignTimeText = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$`)
)

// FuzzCampaignParsers holds the bronze parsing macros against Go's reading
// of the same contract: any text either parses to the value Go reads or is
// NULL (a reject reason), and never makes the query fail.
func FuzzCampaignParsers(f *testing.F) {
	for _, s := range []string{
		"142008725", " 1005 ", "", "1.5", "1e3", "0x10", "-7", "70000", "70000.0", "79051.00", "12.5", "+5",
		"999999999999999999", "9999999999999999999", "2019-10-30 13:37:00", "2019-10-30 00:00:00", "2019-10-30",
		"2019-02-29 10:00:00", "2020-02-29", "2019-10-31 25:00:00", "2019-2-3 1:02:03", "2019-10-30T13:37:00", "n/a",
	} {
		f.Add(s)
	}
	rendered := campaignSQL(f, "SELECT {{ campaign_id('v') }}, {{ campaign_vnd('v') }}, "+
		"{{ campaign_timestamp('v') }}, {{ campaign_day('v') }} FROM (SELECT CAST(? AS VARCHAR) AS v)")
	db := memoryDB(f)
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			t.Skip("landing files are UTF-8 text without NUL")
		}
		var id, vnd sql.NullInt64
		var ts sql.NullTime
		var day sql.NullTime
		if err := db.QueryRow(rendered, s).Scan(&id, &vnd, &ts, &day); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		v := strings.Trim(s, " ")
		if want, ok := campaignInt(v, campaignIDText); id.Valid != ok || id.Int64 != want {
			t.Errorf("campaign_id(%q) = %v, want %d (valid %v)", s, id, want, ok)
		}
		if want, ok := campaignInt(v, campaignVNDText); vnd.Valid != ok || vnd.Int64 != want {
			t.Errorf("campaign_vnd(%q) = %v, want %d (valid %v)", s, vnd, want, ok)
		}
		// Go's layout also takes a one-digit hour; the contract does not.
		wantTS, err := time.Parse(time.DateTime, v)
		if !campaignTimeText.MatchString(v) {
			err = errors.New("not YYYY-MM-DD HH:MM:SS")
		}
		if ts.Valid != (err == nil) || (err == nil && !ts.Time.Equal(wantTS)) {
			t.Errorf("campaign_timestamp(%q) = %v, want %v (%v)", s, ts, wantTS, err)
		}
		wantDay, dayOK := campaignDay(v)
		if day.Valid != dayOK || (dayOK && !day.Time.Equal(wantDay)) {
			t.Errorf("campaign_day(%q) = %v, want %v (valid %v)", s, day, wantDay, dayOK)
		}
	})
}

// campaignInt is the whole number a matching text means.
func campaignInt(v string, re *regexp.Regexp) (int64, bool) {
	m := re.FindStringSubmatch(v)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// campaignDay is the day a matching text means.
func campaignDay(v string) (time.Time, bool) {
	if !campaignDayText.MatchString(v) {
		return time.Time{}, false
	}
	d, err := time.Parse(time.DateOnly, v[:10])
	return d, err == nil
}

// FuzzCampaignRebateCap holds the voucher cap, min(round(30% of gmv),
// 20000) in DECIMAL arithmetic, against the same rule in integers (half
// rounds up).
func FuzzCampaignRebateCap(f *testing.F) {
	for _, g := range []int64{0, 1, 5, 15, 50, 999, 1000, 33335, 66665, 66666, 66667, 70000, 3750000, 999_999_999_999} {
		f.Add(g)
	}
	rendered := campaignSQL(f, "SELECT CAST({{ campaign_rebate_cap('g') }} AS BIGINT) FROM (SELECT CAST(? AS DECIMAL(18, 0)) AS g)")
	db := memoryDB(f)
	f.Fuzz(func(t *testing.T, gmv int64) {
		if gmv < 0 || gmv >= 1e15 {
			t.Skip("gmv is a non-negative amount of VND")
		}
		var got int64
		if err := db.QueryRow(rendered, gmv).Scan(&got); err != nil {
			t.Fatalf("%d: %v", gmv, err)
		}
		if want := min((3*gmv+5)/10, 20000); got != want {
			t.Errorf("cap(%d) = %d, want %d", gmv, got, want)
		}
	})
}
