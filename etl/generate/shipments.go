package generate

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

var shipments = Family{
	Name:        "shipments",
	Description: "logistics vendor shipments and its client list: shipments.csv, clients.csv",
	DefaultRows: 2000,
	Write:       writeShipments,
}

// shipmentsHeader carries two vendor columns beyond the contract (carrier,
// weight_kg), which the landing table keeps in _extra.
var shipmentsHeader = []string{"shipping_id", "order_vendor_dbname", "shipping_date", "shipping_status", "carrier", "weight_kg"}

// plantedShipment is a hand-placed row that makes a rule or a reject reason
// show up at any size. dupOf >= 0 reuses the id of that earlier planted row.
type plantedShipment struct {
	vendor, date, status string
	dupOf                int
}

// The planted customers sit outside the random pool's id space, so random
// rows never change their counts.
const (
	atThreshold   = "lojadobairro_2000000001"  // exactly 3 problems in 2023-05
	justBelow     = "modaverao_2000000002"     // 2 problems in 2023-06, a 3rd superseded
	twoYears      = "casaverde_2000000003"     // 2 in 2022-03 and 2 in 2023-03
	individual    = "6465208fbc1391265257ed5d" // 4 problems in 2022-11, client id upper-cased
	unknownClient = "64a1f0c2e4b0d9a7c3f51e88" // 3 problems in 2023-08, no client row
)

var plantedShipments = []plantedShipment{
	{atThreshold, "2023-05-02", " Cancelled ", -1},
	{atThreshold, "2023-05-03", "delivered", -1},
	{atThreshold, "2023-05-11", "CANCELED", -1},
	{atThreshold, "2023-05-20", "Returned", -1},
	{atThreshold, "2023-02-30", "returned", -1}, // not a calendar date: does not count
	{justBelow, "2023-06-01", "returned", -1},
	{justBelow, "2023-06-09", "returned", -1}, // 6: replaced by a later delivered row
	{justBelow, "2023-06-15", "cancelled", -1},
	{justBelow, "2023-06-18", "delivered", 6},
	{twoYears, "2022-03-04", "returned", -1},
	{twoYears, "2022-03-21", "cancelled", -1},
	{twoYears, "2023-03-07", "Returned", -1},
	{twoYears, "2023-03-28", "canceled", -1},
	{individual, "2022-11-02", "returned", -1},
	{individual, "2022-11-05", "delivered", -1}, // 14: becomes returned later
	{individual, "2022-11-16", "cancelled", -1},
	{individual, "2022-11-30", "RETURNED", -1},
	{individual, "2022-11-05", "returned", 14},
	{unknownClient, "2023-08-01", "returned", -1},
	{unknownClient, "2023-08-12", "cancelled", -1},
	{unknownClient, "2023-08-31", "Returned", -1},
	{"", "2023-04-10", "returned", -1},
	{"foo_", "2023-04-11", "returned", -1},
	{"big colors_1381618804", "2023-04-12", "delivered", -1},
	{" bigcolors_1381618804", "2023-04-12", "delivered", -1},
	{"bigcolors_1381618804", "2023-13-01", "returned", -1},
	{"bigcolors_1381618804", "01/06/2023", "returned", -1},
	{"bigcolors_1381618804", "", "cancelled", -1},
	{"bigcolors_1381618804", "2023-04-15", "", -1},
	{"bigcolors_1381618804", "2023-04-16", "delivered", -2}, // -2: no shipping_id
}

var (
	// Each column of a planted client row: identification_number, name, email.
	plantedClientsHead = [][]string{
		{atThreshold, "Loja do Bairro", "compras@lojadobairro.example.com"}, // replaced at the end
		{justBelow, "Moda Verao", "sac@modaverao.example.com"},
		{twoYears, "Casa Verde", "contato@casaverde.example.com"},
		{strings.ToUpper(individual), "Maria Souza", "maria.souza@example.com"},
	}
	plantedClientsTail = [][]string{
		{"", "Sem Cadastro", "sem.cadastro@example.com"},
		{"acme shop_55", "Acme Shop", "acme@example.com"},
		{"bigcolors_1381618804", "Big Colors", "bigcolors.example.com"},
		{atThreshold, "Loja do Bairro", "financeiro@lojadobairro.example.com"},
	}
)

var (
	shopWords   = [...]string{"big", "blue", "casa", "mega", "super", "nova", "top", "rio", "sol", "verde"}
	shopKinds   = [...]string{"colors", "moveis", "modas", "tech", "pet", "shop", "sports", "foods", "livros", "games"}
	firstNames  = [...]string{"maria", "joao", "ana", "pedro", "julia", "lucas", "beatriz", "rafael", "camila", "gabriel"}
	lastNames   = [...]string{"silva", "santos", "oliveira", "souza", "lima", "pereira", "costa", "almeida", "ferreira", "rodrigues"}
	carriers    = [...]string{"correios", "jadlog", "loggi", "total_express", "azul_cargo"}
	cancelForms = [...]string{"cancelled", "Cancelled", "canceled", "CANCELED", " Cancelled "}
	returnForms = [...]string{"returned", "Returned", "RETURNED", "returned "}
	dirtyForms  = [...][2]string{{"foo_", "2023-01-10"}, {"", "2023-01-10"}, {"bigcolors_1381618804", "2023-02-30"}, {"bigcolors_1381618804", "01/06/2023"}}
)

// poolCustomer derives customer i of the random pool from the seed alone,
// so neither file has to keep the pool in memory. Ids are unique by
// construction: a company's number and an individual's last hex digits
// encode i.
func poolCustomer(seed uint64, i int) (id, name, email string, known bool) {
	h := splitmix(seed ^ splitmix(uint64(i)))
	known = (h>>40)%10 < 9
	if h%5 < 3 {
		word, kind := shopWords[(h>>8)%10], shopKinds[(h>>16)%10]
		id = fmt.Sprintf("%s%s_%d", word, kind, 1_000_000_000+uint64(i)*9973+(h>>24)%9973)
		name = strings.ToUpper(word[:1]) + word[1:] + " " + strings.ToUpper(kind[:1]) + kind[1:]
		return id, name, fmt.Sprintf("contato@%s%s%d.example.com", word, kind, i), known
	}
	first, last := firstNames[(h>>8)%10], lastNames[(h>>16)%10]
	id = fmt.Sprintf("%08x%010x%06x", 0x65000000+(h>>24)%0x01000000, splitmix(h)&0xffffffffff, i&0xffffff)
	name = strings.ToUpper(first[:1]) + first[1:] + " " + strings.ToUpper(last[:1]) + last[1:]
	return id, name, fmt.Sprintf("%s.%s%d@example.com", first, last, i), known
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func writeShipments(ctx context.Context, opts Options) error {
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return fmt.Errorf("landing folder: %w", err)
	}
	customers := max(20, opts.Rows/25)
	err := writeCSV(filepath.Join(opts.Out, "clients.csv"), func(w *csv.Writer) error {
		return writeClients(ctx, w, opts.Seed, customers)
	})
	if err != nil {
		return err
	}
	return writeCSV(filepath.Join(opts.Out, "shipments.csv"), func(w *csv.Writer) error {
		return writeShipmentRows(ctx, w, opts, customers)
	})
}

func writeClients(ctx context.Context, w *csv.Writer, seed uint64, customers int) error {
	rows := [][]string{{"identification_number", "name", "email"}}
	rows = append(rows, plantedClientsHead...)
	if err := w.WriteAll(rows); err != nil {
		return err
	}
	for i := range customers {
		if i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if id, name, email, known := poolCustomer(seed, i); known {
			if err := w.Write([]string{id, name, email}); err != nil {
				return err
			}
		}
	}
	return w.WriteAll(plantedClientsTail)
}

// writeShipmentRows spreads the planted rows evenly among random ones, in
// their order, so a planted duplicate always comes after its original.
func writeShipmentRows(ctx context.Context, w *csv.Writer, opts Options, customers int) error {
	r := newRand(opts.Seed, "shipments")
	total := max(opts.Rows, len(plantedShipments))
	plantedIDs := make([]string, len(plantedShipments))
	if err := w.Write(shipmentsHeader); err != nil {
		return err
	}
	start := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	next, prev := 0, []string(nil)
	for i := range total {
		if i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		id := fmt.Sprintf("SHP%09d", 100_000_000+i*3+r.IntN(3))
		carrier, weight := carriers[r.IntN(len(carriers))], fmt.Sprintf("%.2f", 0.2+r.Float64()*30)
		if next < len(plantedShipments) && i == next*total/len(plantedShipments) {
			p := plantedShipments[next]
			switch {
			case p.dupOf >= 0:
				id = plantedIDs[p.dupOf]
			case p.dupOf == -2:
				id = ""
			}
			plantedIDs[next] = id
			next++
			if err := w.Write([]string{id, p.vendor, p.date, p.status, carrier, weight}); err != nil {
				return err
			}
			continue
		}
		vendor, _, _, _ := poolCustomer(opts.Seed, int(float64(customers)*r.Float64()*r.Float64()))
		date := start.AddDate(0, 0, r.IntN(730)).Format(time.DateOnly)
		status := randomStatus(r)
		switch roll := r.IntN(1000); {
		case roll < 4:
			d := dirtyForms[roll]
			vendor, date = d[0], d[1]
		case roll < 9 && prev != nil:
			// The vendor re-sent the previous shipment with a newer status.
			id, vendor, date = prev[0], prev[1], prev[2]
		}
		prev = []string{id, vendor, date, status, carrier, weight}
		if err := w.Write(prev); err != nil {
			return err
		}
	}
	return nil
}

func randomStatus(r *rand.Rand) string {
	switch roll := r.IntN(100); {
	case roll < 62:
		return "delivered"
	case roll < 74:
		return "in_transit"
	case roll < 84:
		return "shipped"
	case roll < 92:
		return cancelForms[r.IntN(len(cancelForms))]
	default:
		return returnForms[r.IntN(len(returnForms))]
	}
}

// writeCSV streams one landing file through a buffer; the file is complete
// only when every layer flushed and closed without error.
func writeCSV(path string, fill func(*csv.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	w := csv.NewWriter(bw)
	err = fill(w)
	if err == nil {
		w.Flush()
		err = w.Error()
	}
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
