package generate

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

var spending = Family{
	Name:        "spending",
	Description: "shop customers (user_info.csv) and their purchases (user_spending.csv); rows = purchases",
	DefaultRows: 2000,
	Write:       writeSpending,
}

// spendingGroupAges are the ages of users 1..6, one per age group, so every
// group has a customer who spends even in a tiny data set.
var spendingGroupAges = []int{16, 21, 27, 33, 42, 55}

// spendingIdleUser never spends: a customer listed with 0.
const spendingIdleUser = 7

var (
	spendingFirstNames = []string{"Mckenzie", "Donna", "Eric", "Christopher", "Aisha", "Bruno", "Carla", "Dmitri",
		"Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal", "Keiko", "Luis", "Maya", "Nikhil", "Olga", "Pedro"}
	spendingLastNames = []string{"Davis", "Robinson", "Montes", "Hernandez", "Okafor", "Silva", "Rossi", "Ivanov",
		"Popescu", "Haddad", "Kim", "Tanaka", "Moreau", "Brown", "Sato", "Garcia", "Patel", "Singh", "Novak", "Costa"}
	// Dirty values, cycled through as each kind of dirty row recurs.
	spendingBadIDs    = []string{"abc", "-7", "0", "12.5"}
	spendingBadAges   = []string{"abc", "-3", "130", "29.5"}
	spendingBadMoney  = []string{"abc", `"1,234.50"`, "$12.00", "1e3", "NaN"}
	spendingBadYears  = []string{"2O23", "23", "20233", "1800", "year"}
	spendingUserDirt  = 5 // kinds of dirty user_info rows, see spendingDirtyUser
	spendingSpendDirt = 9 // kinds of dirty user_spending rows, see spendingDirtySpend
)

// writeSpending writes user_info.csv (Rows/4 customers, about 60% of them
// buying) and user_spending.csv (Rows purchases over 2022-2024), with dirty
// rows planted at a steady rate so every reject reason appears at any size
// from a few dozen rows up.
func writeSpending(ctx context.Context, opts Options) error {
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return fmt.Errorf("spending: %w", err)
	}
	r := newRand(opts.Seed, "spending")
	users := max(opts.Rows/4, 20)
	err := spendingFile(filepath.Join(opts.Out, "user_info.csv"), func(w *bufio.Writer) error {
		return spendingUsers(ctx, w, r, users)
	})
	if err != nil {
		return err
	}
	return spendingFile(filepath.Join(opts.Out, "user_spending.csv"), func(w *bufio.Writer) error {
		return spendingPurchases(ctx, w, r, opts.Seed, users, opts.Rows)
	})
}

func spendingFile(path string, write func(w *bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("spending: %w", err)
	}
	w := bufio.NewWriterSize(f, 64<<10)
	if err := write(w); err != nil {
		f.Close()
		return fmt.Errorf("spending: write %s: %w", filepath.Base(path), err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("spending: write %s: %w", filepath.Base(path), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("spending: close %s: %w", filepath.Base(path), err)
	}
	return nil
}

// spendingPeriod spaces dirty rows: one every period rows, small enough that
// every kind shows up in n rows, at most about 1 row in 50.
func spendingPeriod(n, kinds int) int {
	return max(1, min(50, n/(kinds+1)))
}

func spendingUsers(ctx context.Context, w *bufio.Writer, r *rand.Rand, n int) error {
	w.WriteString("user_id,name,email,age\n")
	period := spendingPeriod(n, spendingUserDirt)
	for id := 1; id <= n; id++ {
		if id%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		first := spendingFirstNames[r.IntN(len(spendingFirstNames))]
		last := spendingLastNames[r.IntN(len(spendingLastNames))]
		age := 12 + r.IntN(59)
		if id <= len(spendingGroupAges) {
			age = spendingGroupAges[id-1]
		}
		email := strings.ToLower(first+"_"+last) + fmt.Sprintf("%d@example.com", id)
		if r.IntN(25) == 0 {
			// Mixed case: silver lower-cases it.
			email = first + "." + last + fmt.Sprintf("%d@Example.COM", id)
		}
		fmt.Fprintf(w, "%d,\"%s %s\",%s,%d\n", id, first, last, email, age)
		if id%period == period/2 {
			spendingDirtyUser(w, (id/period)%spendingUserDirt, id/period/spendingUserDirt, n, id, first, last, email, age)
		}
	}
	return nil
}

// spendingDirtyUser writes one rejected user_info row of the given kind.
// Rows with a bad age use ids above n, so their purchases become unknown.
func spendingDirtyUser(w *bufio.Writer, kind, round, n, id int, first, last, email string, age int) {
	switch kind {
	case 0:
		w.WriteString(`,"Ghost User",ghost@example.com,30` + "\n")
	case 1:
		fmt.Fprintf(w, "%s,\"Bad Id\",bad_id@example.com,30\n", spendingBadIDs[round%len(spendingBadIDs)])
	case 2:
		fmt.Fprintf(w, "%d,\"No Age\",no_age%d@example.com,\n", n+500+round*2, round)
	case 3:
		fmt.Fprintf(w, "%d,\"Bad Age\",bad_age%d@example.com,%s\n", n+501+round*2, round, spendingBadAges[round%len(spendingBadAges)])
	default:
		// The same user_id again, disagreeing on age: the first row wins.
		fmt.Fprintf(w, "%d,\"%s %s\",%s,%d\n", id, first, last, email, age+1)
	}
}

// spendingSpends says whether a customer buys anything: a hash of the seed
// and the id, so purchases can pick buyers without a list in memory.
func spendingSpends(seed uint64, id int) bool {
	if id <= len(spendingGroupAges) {
		return true
	}
	if id == spendingIdleUser {
		return false
	}
	h := seed ^ uint64(id)*0x9e3779b97f4a7c15
	h ^= h >> 31
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 29
	return h%10 < 6
}

func spendingPurchases(ctx context.Context, w *bufio.Writer, r *rand.Rand, seed uint64, users, rows int) error {
	w.WriteString("user_id,money_spent,year\n")
	period := spendingPeriod(rows, spendingSpendDirt)
	for i := range rows {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		id := 1 + r.IntN(users)
		for !spendingSpends(seed, id) {
			id = 1 + r.IntN(users)
		}
		if i < len(spendingGroupAges) {
			id = i + 1
		}
		if i%period == period/2 && i >= len(spendingGroupAges) {
			spendingDirtySpend(w, (i/period)%spendingSpendDirt, i/period/spendingSpendDirt, users, id)
			continue
		}
		fmt.Fprintf(w, "%d,%s,%d\n", id, spendingAmount(r), 2022+r.IntN(3))
	}
	return nil
}

// spendingAmount is a purchase in cents, skewed like a shop's: mostly small,
// some large, so some customers' years pass the voucher threshold and
// others do not. Sometimes written with one decimal or none, as exports do.
func spendingAmount(r *rand.Rand) string {
	var cents int
	switch t := r.IntN(10); {
	case t < 6:
		cents = 100 + r.IntN(30000)
	case t < 9:
		cents = 30000 + r.IntN(120000)
	default:
		cents = 150000 + r.IntN(350000)
	}
	switch {
	case cents%100 == 0:
		return fmt.Sprintf("%d", cents/100)
	case cents%10 == 0:
		return fmt.Sprintf("%d.%d", cents/100, cents%100/10)
	}
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}

// spendingDirtySpend writes one rejected user_spending row of the given kind.
func spendingDirtySpend(w *bufio.Writer, kind, round, users, id int) {
	switch kind {
	case 0:
		w.WriteString(",123.45,2023\n")
	case 1:
		fmt.Fprintf(w, "%s,123.45,2023\n", spendingBadIDs[round%len(spendingBadIDs)])
	case 2:
		fmt.Fprintf(w, "%d,,2023\n", id)
	case 3:
		fmt.Fprintf(w, "%d,%s,2023\n", id, spendingBadMoney[round%len(spendingBadMoney)])
	case 4:
		fmt.Fprintf(w, "%d,12.345,2023\n", id)
	case 5:
		fmt.Fprintf(w, "%d,-25.00,2023\n", id)
	case 6:
		fmt.Fprintf(w, "%d,12.00,\n", id)
	case 7:
		fmt.Fprintf(w, "%d,12.00,%s\n", id, spendingBadYears[round%len(spendingBadYears)])
	default:
		if round%2 == 1 {
			// An id no user_info row has at all.
			fmt.Fprintf(w, "%d,99.99,2023\n", users+1000+round)
			return
		}
		// The id of a user_info row that was rejected.
		fmt.Fprintf(w, "%d,99.99,2023\n", users+500+round%4)
	}
}
