package generate

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// notifications writes the notification topic's landing files: NDJSON, one
// file per minute named by the minute (names sort by time), every fifth one
// gzip-compressed. Duplicated deliveries (some of them earlier than the
// copy already delivered), channel case variants, local-time offsets, late
// events and malformed rows are planted so that every rule shows up.
var notifications = Family{
	Name:        "notifications",
	Description: "WhatsApp notification events, one NDJSON file per minute",
	DefaultRows: 3000,
	Write:       writeNotifications,
}

const (
	notifPerMinute  = 70000 // events in a minute at full volume
	notifMinMinutes = 6
	notifCustomers  = 40
	notifRecent     = 4096 // a redelivery copies one of this many recent events
)

// The files start three minutes before midnight so that even the smallest
// data set spans two days.
var (
	notifStart  = time.Date(2020, 2, 3, 23, 57, 0, 0, time.UTC)
	notifBrasil = time.FixedZone("BRT", -3*60*60)
)

// notifFlaw is what a malformed row gets wrong.
type notifFlaw int

const (
	notifFlawNone notifFlaw = iota
	notifEmptyMessageID
	notifNullMessageID
	notifNullCustomer
	notifEmptyCustomer
	notifEmptyChannel
	notifNoOffset
	notifSlashDate
	notifImpossibleDate
	notifEmptyDate
	notifFlaws
)

type notifEvent struct {
	customer int
	id       string
	channel  string
	payload  string // a JSON object
	at       time.Time
	zone     *time.Location // the offset the event is written with
}

// notifGen carries the state that runs across files.
type notifGen struct {
	r      *rand.Rand
	recent []notifEvent // ring of recent events, for redeliveries
	next   int
	buf    []byte
}

// notifMinutes is how many minute files rows events fill.
func notifMinutes(rows int) int {
	return max(notifMinMinutes, (rows+notifPerMinute-1)/notifPerMinute)
}

func writeNotifications(ctx context.Context, opts Options) error {
	dir := filepath.Join(opts.Out, "notifications")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	stream := "notifications"
	if opts.FirstMinute > 0 {
		stream += "@" + strconv.Itoa(opts.FirstMinute)
	}
	g := &notifGen{r: newRand(opts.Seed, stream)}
	minutes := notifMinutes(opts.Rows)
	if opts.Minutes > 0 {
		minutes = opts.Minutes
	}
	var carried []notifEvent // events of the previous file that the next one redelivers
	for f := range minutes {
		if err := ctx.Err(); err != nil {
			return err
		}
		quota := opts.Rows*(f+1)/minutes - opts.Rows*f/minutes
		index := opts.FirstMinute + f
		start := notifStart.Add(time.Duration(index) * time.Minute)
		name := start.Format("2006-01-02T15-04") + ".jsonl"
		if index%5 == 4 || opts.Gzip {
			name += ".gz"
		}
		var err error
		if carried, err = g.writeFile(ctx, filepath.Join(dir, name), start, quota, index, carried); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes one minute file of quota lines (at least the planted
// ones) and returns two of its events for the next file to redeliver.
func (g *notifGen) writeFile(ctx context.Context, path string, start time.Time, quota, index int, carried []notifEvent) ([]notifEvent, error) {
	fh, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	var sink io.Writer = fh
	var zw *gzip.Writer
	if filepath.Ext(path) == ".gz" {
		zw = gzip.NewWriter(fh)
		sink = zw
	}
	w := bufio.NewWriterSize(sink, 1<<16)
	written := 0
	emit := func(e notifEvent, flaw notifFlaw) error {
		written++
		g.buf = appendNotification(g.buf[:0], e, flaw)
		_, err := w.Write(g.buf)
		return err
	}
	// Planted first: one row per flaw and a message delivered twice in the
	// first file; in the others, a redelivery of the previous file's message
	// and a copy of another that is earlier (another minute) than the one
	// already delivered.
	var planted []notifEvent
	var flaws []notifFlaw
	if index == 0 {
		for flaw := notifFlawNone + 1; flaw < notifFlaws; flaw++ {
			planted, flaws = append(planted, g.event(start)), append(flaws, flaw)
		}
		twice := g.event(start)
		planted, flaws = append(planted, twice, twice), append(flaws, notifFlawNone, notifFlawNone)
	}
	if len(carried) == 2 {
		earlier := carried[1]
		earlier.at = earlier.at.Add(-75 * time.Second)
		planted, flaws = append(planted, carried[0], earlier), append(flaws, notifFlawNone, notifFlawNone)
	}
	for i, e := range planted {
		if err := emit(e, flaws[i]); err != nil {
			return nil, notifClose(fh, zw, w, err)
		}
	}
	var keep []notifEvent
	for written < quota {
		if written%10000 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, notifClose(fh, zw, w, err)
			}
		}
		e, flaw := g.next1(start)
		if len(keep) < 2 && flaw == notifFlawNone {
			keep = append(keep, e)
		}
		if err := emit(e, flaw); err != nil {
			return nil, notifClose(fh, zw, w, err)
		}
	}
	if err := notifClose(fh, zw, w, nil); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return keep, nil
}

// next1 draws the next line: mostly a new event, sometimes a redelivery of
// a recent one (now and then with an earlier time), rarely a malformed row.
func (g *notifGen) next1(start time.Time) (notifEvent, notifFlaw) {
	r := g.r
	switch p := r.Float64(); {
	case p < 0.0006:
		return g.event(start), notifFlaw(1 + r.IntN(int(notifFlaws)-1))
	case p < 0.0106 && len(g.recent) > 0:
		e := g.recent[r.IntN(len(g.recent))]
		if r.IntN(10) == 0 {
			e.at = e.at.Add(-time.Duration(1+r.IntN(90)) * time.Second)
		}
		return e, notifFlawNone
	}
	e := g.event(start)
	if len(g.recent) < notifRecent {
		g.recent = append(g.recent, e)
	} else {
		g.recent[g.next] = e
		g.next = (g.next + 1) % notifRecent
	}
	return e, notifFlawNone
}

// event draws a new event of the minute starting at start: a few customers
// send most messages, most messages go by WhatsApp, one in ten is written in
// Brasilia time and one in two hundred arrives a minute late.
func (g *notifGen) event(start time.Time) notifEvent {
	r := g.r
	x := r.Float64()
	e := notifEvent{customer: int(x * x * notifCustomers), id: notifMessageID(r), zone: time.UTC}
	e.at = start.Add(time.Duration(r.IntN(60000)) * time.Millisecond)
	if r.IntN(200) == 0 {
		e.at = e.at.Add(-time.Minute)
	}
	if r.IntN(10) == 0 {
		e.zone = notifBrasil
	}
	phone := "+55" + strconv.Itoa(11+r.IntN(89)) + "9" + strconv.Itoa(10000000+r.IntN(90000000))
	switch p := r.Float64(); {
	case p < 0.70:
		e.channel = notifPick(r, []string{"whatsapp", "whatsapp", "WhatsApp", "WHATSAPP"})
		e.payload = `{"template":"` + notifPick(r, notifTemplates) + `","to":"` + phone + `","vars":{"order":"` + strconv.Itoa(100000+r.IntN(900000)) + `"}}`
	case p < 0.85:
		e.channel = notifPick(r, []string{"sms", "sms", "SMS"})
		e.payload = `{"to":"` + phone + `","text":"Seu codigo de acesso: ` + strconv.Itoa(1000+r.IntN(9000)) + `"}`
	default:
		e.channel = notifPick(r, []string{"email", "Email"})
		e.payload = `{"to":"cliente` + strconv.Itoa(r.IntN(100000)) + `@example.com","subject":"Sua fatura chegou"}`
	}
	return e
}

var notifTemplates = []string{"pedido_confirmado", "pedido_enviado", "pedido_entregue", "boleto_disponivel", "lembrete_consulta"}

var (
	notifShops  = []string{"Padaria", "Loja", "Farmacia", "Otica", "Mercado", "Clinica", "Pet Shop", "Academia"}
	notifPlaces = []string{"Sol", "Lua", "Mar", "Rio", "Serra", "Vale", "Central", "Nova"}
)

func notifPick(r *rand.Rand, from []string) string { return from[r.IntN(len(from))] }

// notifMessageID is a random UUID-shaped id.
func notifMessageID(r *rand.Rand) string {
	const hex = "0123456789abcdef"
	var b [36]byte
	hi, lo := r.Uint64(), r.Uint64()
	j := 0
	for i := range b {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			b[i] = '-'
			continue
		}
		v := hi
		if j >= 16 {
			v = lo
		}
		b[i] = hex[(v>>(4*(j%16)))&0xf]
		j++
	}
	return string(b[:])
}

// appendNotification appends one NDJSON line; every key is always present
// (a malformed row has a null or a bad value, not a missing key).
func appendNotification(b []byte, e notifEvent, flaw notifFlaw) []byte {
	customer := `"C` + strconv.Itoa(1000+e.customer) + `"`
	name := `"` + notifShops[e.customer%len(notifShops)] + " " + notifPlaces[e.customer/len(notifShops)%len(notifPlaces)] + ` Ltda"`
	id := `"` + e.id + `"`
	channel := `"` + e.channel + `"`
	at := `"` + e.at.In(e.zone).Format("2006-01-02T15:04:05.000-07:00") + `"`
	switch flaw {
	case notifEmptyMessageID:
		id = `""`
	case notifNullMessageID:
		id = "null"
	case notifNullCustomer:
		customer = "null"
	case notifEmptyCustomer:
		customer = `" "`
	case notifEmptyChannel:
		channel = `""`
	case notifNoOffset:
		at = `"` + e.at.Format("2006-01-02 15:04:05") + `"`
	case notifSlashDate:
		at = `"` + e.at.Format("02/01/2006 15:04") + `"`
	case notifImpossibleDate:
		at = `"2020-02-30T` + e.at.Format("15:04:05.000") + `+00:00"`
	case notifEmptyDate:
		at = `""`
	}
	b = append(b, `{"customer_id":`...)
	b = append(b, customer...)
	b = append(b, `,"message_id":`...)
	b = append(b, id...)
	b = append(b, `,"customer_name":`...)
	b = append(b, name...)
	b = append(b, `,"channel":`...)
	b = append(b, channel...)
	b = append(b, `,"payload":`...)
	b = append(b, e.payload...)
	b = append(b, `,"event_datetime":`...)
	b = append(b, at...)
	return append(b, "}\n"...)
}

// notifClose flushes and closes the writers of a file, keeping the first error.
func notifClose(fh *os.File, zw *gzip.Writer, w *bufio.Writer, err error) error {
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if zw != nil {
		if zerr := zw.Close(); err == nil {
			err = zerr
		}
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	return err
}
