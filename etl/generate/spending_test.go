package generate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// spendingPositiveID is a user_id bronze keeps.
var spendingPositiveID = regexp.MustCompile(`^[1-9][0-9]*$`)

func spendingGenerate(t *testing.T, rows int, seed uint64) (users, purchases string) {
	t.Helper()
	out := t.TempDir()
	if err := Run(context.Background(), "spending", Options{Rows: rows, Seed: seed, Out: out}); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	return read("user_info.csv"), read("user_spending.csv")
}

func TestSpendingDeterministic(t *testing.T) {
	u1, p1 := spendingGenerate(t, 500, 7)
	u2, p2 := spendingGenerate(t, 500, 7)
	if u1 != u2 || p1 != p2 {
		t.Fatal("two runs with the same seed and rows wrote different bytes")
	}
	u3, p3 := spendingGenerate(t, 500, 8)
	if u1 == u3 && p1 == p3 {
		t.Fatal("another seed wrote the same bytes")
	}
	if n := strings.Count(p1, "\n"); n != 501 {
		t.Errorf("user_spending.csv has %d lines, want header + 500", n)
	}
}

// TestSpendingDirtyCases checks that each dirty case the models must
// handle is in the files, at the committed size and at a tiny one.
func TestSpendingDirtyCases(t *testing.T) {
	for _, rows := range []int{spending.DefaultRows, 60} {
		users, purchases := spendingGenerate(t, rows, 1)
		uLines := strings.Split(strings.TrimSuffix(users, "\n"), "\n")[1:]
		pLines := strings.Split(strings.TrimSuffix(purchases, "\n"), "\n")[1:]
		valid := map[string]int{} // kept user_id -> age
		seen := map[string]int{}
		for _, l := range uLines {
			f := strings.Split(l, ",")
			seen[f[0]]++
			age, err := strconv.Atoi(f[3])
			if _, dup := valid[f[0]]; err == nil && !dup && spendingPositiveID.MatchString(f[0]) && age >= 0 && age <= 120 {
				valid[f[0]] = age
			}
		}
		spenders := map[string]bool{}
		for _, l := range pLines {
			spenders[strings.SplitN(l, ",", 2)[0]] = true
		}
		countUsers := func(match func(id string, f []string) bool) int {
			n := 0
			for _, l := range uLines {
				if f := strings.Split(l, ","); match(f[0], f) {
					n++
				}
			}
			return n
		}
		countPurchases := func(re string) int {
			return len(regexp.MustCompile("(?m)"+re).FindAllStringIndex(purchases, -1))
		}
		cases := []struct {
			name string
			n    int
		}{
			{"user without id", countUsers(func(id string, _ []string) bool { return id == "" })},
			{"user id not a positive integer", countUsers(func(id string, _ []string) bool { return id != "" && !spendingPositiveID.MatchString(id) })},
			{"user without age", countUsers(func(_ string, f []string) bool { return f[3] == "" })},
			{"user age not 0-120", countUsers(func(_ string, f []string) bool {
				a, err := strconv.Atoi(f[3])
				return f[3] != "" && (err != nil || a < 0 || a > 120)
			})},
			{"duplicate user id", countUsers(func(id string, _ []string) bool { return id != "" && seen[id] > 1 })},
			{"user under 18", countUsers(func(id string, _ []string) bool { a, ok := valid[id]; return ok && a < 18 })},
			{"user without purchases", countUsers(func(id string, _ []string) bool { _, ok := valid[id]; return ok && !spenders[id] })},
			{"purchase without user id", countPurchases(`^,`)},
			{"purchase user id not a positive integer", countPurchases(`^(abc|-7|0|12\.5),`)},
			{"purchase without amount", countPurchases(`^[0-9]+,,`)},
			{"amount not a number", countPurchases(`^[0-9]+,(abc|"1,234\.50"|\$12\.00|1e3|NaN),`)},
			{"amount with sub-cents", countPurchases(`,12\.345,`)},
			{"negative amount", countPurchases(`,-25\.00,`)},
			{"purchase without year", countPurchases(`,12\.00,$`)},
			{"bad year", countPurchases(`,12\.00,(2O23|23|20233|1800|year)$`)},
			{"purchase of an unknown user", len(spendingUnknownIDs(pLines, valid))},
		}
		for _, c := range cases {
			t.Run(strconv.Itoa(rows)+"/"+c.name, func(t *testing.T) {
				if c.n == 0 {
					t.Errorf("no %s in %d rows", c.name, rows)
				}
			})
		}
	}
}

// spendingUnknownIDs lists the well-formed purchase user_ids no kept user has.
func spendingUnknownIDs(lines []string, valid map[string]int) []string {
	var out []string
	for _, l := range lines {
		id := strings.SplitN(l, ",", 2)[0]
		if _, ok := valid[id]; !ok && spendingPositiveID.MatchString(id) {
			out = append(out, id)
		}
	}
	return out
}

func TestSpendingCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// Write itself, not Run, which checks the context before it starts.
	err := spending.Write(ctx, Options{Rows: 100, Seed: 1, Out: t.TempDir()})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want a cancellation", err)
	}
}
