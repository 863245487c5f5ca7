package generate

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// ecommerceCDC writes the shop database's change events as Debezium lands
// them: a snapshot file (op r) of the catalogue and the customers, then
// numbered change files in commit order, where orders are placed, paid,
// shipped, delivered, refunded or cancelled (deleted). Rows is the number of
// orders placed. Some events arrive a file late, a connector restart
// replays the previous file's last events, stale copies of an order's
// previous event arrive after the order changed again or was deleted,
// decimals come as JSON numbers or base64 alike, and malformed events are
// planted for every reject reason.
var ecommerceCDC = Family{
	Name:        "ecommerce_cdc",
	Description: "shop database change events (Debezium envelope), NDJSON files under ecommerce_cdc/",
	DefaultRows: 300,
	Write:       writeEcommerceCDC,
}

// The stream starts on a sales day; the snapshot is taken just before.
var (
	cdcSnapshotAt = time.Date(2024, 11, 10, 23, 30, 0, 0, time.UTC)
	cdcOpenAt     = time.Date(2024, 11, 11, 0, 0, 0, 0, time.UTC)
)

const (
	cdcOrdersPerDay = 3000  // the pace of orders: smaller data sets span two days
	cdcLateRate     = 0.015 // events that arrive one file late
	cdcReplayed     = 3     // events a restart replays at the head of a file
)

func writeEcommerceCDC(ctx context.Context, opts Options) error {
	dir := filepath.Join(opts.Out, "ecommerce_cdc")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	r := newRand(opts.Seed, "ecommerce_cdc")
	// About eight events per order, in six change files or more (at most
	// 400 events each), and never more than ~48.
	events := opts.Rows * 8
	w := &cdcWriter{dir: dir, r: r, perFile: max(events/48, min(400, events/6), 1), lsn: 24_000_000}
	shop := newCDCShop(r, w, opts.Rows)
	if err := w.open(); err != nil {
		return err
	}
	if err := shop.snapshot(); err != nil {
		return w.fail(err)
	}
	if err := w.rotate(); err != nil {
		return w.fail(err)
	}
	if err := shop.trade(ctx, opts.Rows); err != nil {
		return w.fail(err)
	}
	return w.close()
}

// cdcField is one column of a row image; value is JSON text.
type cdcField struct{ name, value string }

// cdcEnvelopeFlaw is how a malformed event breaks its envelope.
type cdcEnvelopeFlaw int

const (
	cdcSound cdcEnvelopeFlaw = iota
	cdcNullTs
	cdcTextTs
	cdcNoLSN
	cdcTextLSN
)

// cdcEvent is one change event; a nil image is written as JSON null.
type cdcEvent struct {
	table         string
	op            string
	ts            int64 // epoch milliseconds
	lsn           int64 // assigned when emitted
	before, after []cdcField
	flaw          cdcEnvelopeFlaw
}

// cdcWriter writes events into numbered files, holding back the late ones
// for the next file.
type cdcWriter struct {
	dir     string
	r       *rand.Rand
	perFile int
	index   int
	fh      *os.File
	w       *bufio.Writer
	lines   int
	lsn     int64
	late    []cdcEvent // written at the head of the next file
	recent  []cdcEvent // the last events written, replayed after a restart
	buf     []byte
}

func (w *cdcWriter) name() string {
	if w.index == 0 {
		return "0000-snapshot.jsonl"
	}
	return fmt.Sprintf("%04d-changes.jsonl", w.index)
}

func (w *cdcWriter) open() error {
	path := filepath.Join(w.dir, w.name())
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	w.fh, w.w, w.lines = fh, bufio.NewWriterSize(fh, 1<<16), 0
	return nil
}

// emit commits an event (gives it the next log position) and writes it,
// or now and then holds it back for the next file. It returns the event as
// committed.
func (w *cdcWriter) emit(e cdcEvent) (cdcEvent, error) {
	w.lsn += 8 + int64(w.r.IntN(120))
	e.lsn = w.lsn
	if w.index > 0 && w.r.Float64() < cdcLateRate {
		w.late = append(w.late, e)
		return e, nil
	}
	return e, w.write(e)
}

// lateCopy sends an already committed event again, in the next file.
func (w *cdcWriter) lateCopy(e cdcEvent) { w.late = append(w.late, e) }

func (w *cdcWriter) write(e cdcEvent) error {
	w.buf = appendCDCEvent(w.buf[:0], e, w.index == 0)
	if _, err := w.w.Write(w.buf); err != nil {
		return err
	}
	if w.recent = append(w.recent, e); len(w.recent) > cdcReplayed {
		w.recent = w.recent[1:]
	}
	if w.lines++; w.index > 0 && w.lines >= w.perFile {
		return w.rotate()
	}
	return nil
}

// rotate closes the current file and opens the next, which starts with a
// restart's replay of the last events and then the late ones.
func (w *cdcWriter) rotate() error {
	if err := w.finish(); err != nil {
		return err
	}
	w.index++
	if err := w.open(); err != nil {
		return err
	}
	head := append([]cdcEvent(nil), w.late...)
	if w.index > 1 {
		head = append(append([]cdcEvent(nil), w.recent...), head...)
	}
	w.late = nil
	for _, e := range head {
		w.buf = appendCDCEvent(w.buf[:0], e, false)
		if _, err := w.w.Write(w.buf); err != nil {
			return err
		}
		w.lines++
	}
	return nil
}

func (w *cdcWriter) finish() error {
	if err := w.w.Flush(); err != nil {
		_ = w.fh.Close()
		return fmt.Errorf("write %s: %w", w.fh.Name(), err)
	}
	return w.fh.Close()
}

// close writes what is still held back at the end of the last file.
func (w *cdcWriter) close() error {
	for _, e := range w.late {
		w.buf = appendCDCEvent(w.buf[:0], e, false)
		if _, err := w.w.Write(w.buf); err != nil {
			return w.fail(err)
		}
	}
	return w.finish()
}

func (w *cdcWriter) fail(err error) error {
	_ = w.fh.Close()
	return err
}

func appendCDCEvent(b []byte, e cdcEvent, snapshot bool) []byte {
	b = append(b, `{"before":`...)
	b = appendCDCImage(b, e.before)
	b = append(b, `,"after":`...)
	b = appendCDCImage(b, e.after)
	b = append(b, `,"op":"`...)
	b = append(b, e.op...)
	b = append(b, `","ts_ms":`...)
	switch e.flaw {
	case cdcNullTs:
		b = append(b, "null"...)
	case cdcTextTs:
		b = strconv.AppendQuote(b, time.UnixMilli(e.ts).UTC().Format(time.RFC3339))
	default:
		b = strconv.AppendInt(b, e.ts, 10)
	}
	b = append(b, `,"source":{"connector":"postgresql","db":"shop","schema":"public","table":"`...)
	b = append(b, e.table...)
	b = append(b, '"')
	if snapshot {
		b = append(b, `,"snapshot":"true"`...)
	}
	switch e.flaw {
	case cdcNoLSN:
	case cdcTextLSN:
		b = append(b, `,"lsn":"`...)
		b = append(b, fmt.Sprintf("%X/%X", e.lsn>>24, e.lsn&0xFFFFFF)...)
		b = append(b, '"')
	default:
		b = append(b, `,"lsn":`...)
		b = strconv.AppendInt(b, e.lsn, 10)
	}
	return append(b, "}}\n"...)
}

func appendCDCImage(b []byte, fields []cdcField) []byte {
	if fields == nil {
		return append(b, "null"...)
	}
	b = append(b, '{')
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, f.name)
		b = append(b, ':')
		b = append(b, f.value...)
	}
	return append(b, '}')
}

// cdcDecimal writes an amount in cents (scale 2) the way a connector might:
// mostly Debezium's precise encoding, otherwise a JSON number.
func cdcDecimal(r *rand.Rand, cents int64) string {
	if r.IntN(5) < 3 {
		return strconv.Quote(cdcBase64(cents))
	}
	sign, abs := "", cents
	if cents < 0 {
		sign, abs = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, abs/100, abs%100)
}

// cdcBase64 is Debezium's precise decimal: the unscaled value as a minimal
// big-endian two's complement integer, base64-encoded.
func cdcBase64(v int64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(v))
	i := 0
	for i < 7 && ((b[i] == 0 && b[i+1]&0x80 == 0) || (b[i] == 0xFF && b[i+1]&0x80 != 0)) {
		i++
	}
	return base64.StdEncoding.EncodeToString(b[i:])
}

func cdcInt(v int64) string { return strconv.FormatInt(v, 10) }

func cdcTime(t time.Time) string { return `"` + t.UTC().Format("2006-01-02T15:04:05.000Z") + `"` }
