package generate

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func generateShipments(t *testing.T, rows int, seed uint64) (shipmentsCSV, clientsCSV []byte) {
	t.Helper()
	out := t.TempDir()
	if err := Run(context.Background(), "shipments", Options{Rows: rows, Seed: seed, Out: out}); err != nil {
		t.Fatal(err)
	}
	s, err := os.ReadFile(filepath.Join(out, "shipments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := os.ReadFile(filepath.Join(out, "clients.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func parseCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestShipmentsDeterministic(t *testing.T) {
	s1, c1 := generateShipments(t, 0, 7)
	s2, c2 := generateShipments(t, 0, 7)
	if !bytes.Equal(s1, s2) || !bytes.Equal(c1, c2) {
		t.Fatal("two runs with the same seed wrote different bytes")
	}
	s3, _ := generateShipments(t, 0, 8)
	if bytes.Equal(s1, s3) {
		t.Fatal("another seed wrote the same shipments")
	}
}

func TestShipmentsDirtyCases(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows int
	}{
		{"default size", 0},
		{"fewer rows than planted cases", 5},
		{"large", 50_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, c := generateShipments(t, tc.rows, 1)
			recs := parseCSV(t, s)
			if !slices.Equal(recs[0], shipmentsHeader) {
				t.Fatalf("header = %v", recs[0])
			}
			want := max(tc.rows, len(plantedShipments))
			if tc.rows == 0 {
				want = shipments.DefaultRows
			}
			if got := len(recs) - 1; got != want {
				t.Errorf("%d rows, want %d", got, want)
			}
			ids, vendors, dates, statuses := map[string]int{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
			for _, r := range recs[1:] {
				ids[r[0]]++
				vendors[r[1]], dates[r[2]], statuses[r[3]] = true, true, true
			}
			for _, v := range []string{"", "foo_", "big colors_1381618804", atThreshold, justBelow, twoYears, individual, unknownClient} {
				if !vendors[v] {
					t.Errorf("no shipment of vendor %q", v)
				}
			}
			for _, d := range []string{"2023-13-01", "2023-02-30", "01/06/2023", ""} {
				if !dates[d] {
					t.Errorf("no shipping_date %q", d)
				}
			}
			for _, st := range []string{" Cancelled ", "CANCELED", "returned", "Returned", ""} {
				if !statuses[st] {
					t.Errorf("no shipping_status %q", st)
				}
			}
			dups := 0
			for id, n := range ids {
				if id != "" && n > 1 {
					dups++
				}
			}
			if dups < 2 {
				t.Errorf("%d duplicated shipping ids, want at least the 2 planted", dups)
			}
			if ids[""] == 0 {
				t.Error("no row without a shipping_id")
			}
			checkClients(t, parseCSV(t, c))
		})
	}
}

// checkClients: the planted alert customers are known except one, and the
// client list has its own dirty rows.
func checkClients(t *testing.T, recs [][]string) {
	t.Helper()
	seen := map[string]int{}
	emails := map[string]bool{}
	for _, r := range recs[1:] {
		seen[r[0]]++
		emails[r[2]] = true
	}
	if seen[atThreshold] != 2 {
		t.Errorf("client %s listed %d times, want 2 (a duplicate)", atThreshold, seen[atThreshold])
	}
	if seen[strings.ToUpper(individual)] != 1 || seen[unknownClient] != 0 {
		t.Errorf("individual listed %d times, unknown client %d times", seen[strings.ToUpper(individual)], seen[unknownClient])
	}
	if seen[""] == 0 || seen["acme shop_55"] == 0 || !emails["bigcolors.example.com"] {
		t.Error("client list lacks a missing id, a malformed id or a malformed e-mail")
	}
}

func TestShipmentsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := shipments.Write(ctx, Options{Rows: 100, Seed: 1, Out: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("err = %v, want a cancellation", err)
	}
}
