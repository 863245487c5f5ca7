package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// latin1 encodes text whose runes are all below U+0100 as ISO 8859-1.
func latin1(t *testing.T, s string) string {
	t.Helper()
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF {
			t.Fatalf("%q is not Latin-1", r)
		}
		b = append(b, byte(r))
	}
	return string(b)
}

// utf16LE encodes text as UTF-16, little-endian, with a byte order mark.
func utf16LE(s string) string {
	units := utf16.Encode([]rune("\uFEFF" + s))
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

// A shipments export from a Windows tool in Latin-1: refused with the file,
// the line and the option to set; loaded with its accents once the seed
// says encoding: latin-1. The same file in UTF-16 loads with encoding: utf-16.
func TestSeedEncodings(t *testing.T) {
	dir := copyProject(t)
	lines := strings.SplitAfter(read(t, filepath.Join(dir, "seeds/shipments.csv")), "\n")
	// Line 4 of the file (its third shipment) gets an accented carrier.
	fields := strings.Split(lines[3], ",")
	id := fields[0]
	fields[4] = "Expresso São João"
	lines[3] = strings.Join(fields, ",")
	text := strings.Join(lines, "")
	sources := filepath.Join(dir, "models/sources_shipments.yml")
	yml := read(t, sources)
	declare := func(enc string) {
		write(t, sources, strings.Replace(yml, "    format: csv\n    table: raw.shipments\n",
			"    format: csv\n    encoding: "+enc+"\n    table: raw.shipments\n", 1))
	}
	carrier := func() string {
		db := runWarehouse(t, dir)
		var got string
		if err := db.QueryRow("SELECT map_extract(_extra, 'carrier')[1] FROM raw.shipments WHERE shipping_id = ?", id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		db.Close()
		return got
	}

	write(t, filepath.Join(dir, "seeds/shipments.csv"), latin1(t, text))
	etl(t, dir, "build").must(t, 1).contains(t, "seeds/shipments.csv:4: invalid UTF-8", "encoding: latin-1")

	declare("latin-1")
	etl(t, dir, "build").must(t, 0)
	if got := carrier(); got != "Expresso São João" {
		t.Errorf("latin-1: carrier %q", got)
	}

	write(t, filepath.Join(dir, "seeds/shipments.csv"), utf16LE(text))
	declare("utf-16")
	etl(t, dir, "build").must(t, 0).contains(t, "1 loaded")
	if got := carrier(); got != "Expresso São João" {
		t.Errorf("utf-16: carrier %q", got)
	}
	db := runWarehouse(t, dir)
	if n := queryInt(t, db, "SELECT count(*) FROM raw.shipments"); n != len(lines)-2 {
		t.Errorf("utf-16: %d rows, the file has %d", n, len(lines)-2)
	}
	if n := queryInt(t, db, "SELECT max(_source_line) FROM raw.shipments"); n != len(lines)-1 {
		t.Errorf("utf-16: last line %d, want %d", n, len(lines)-1)
	}
	db.Close()

	declare("ebcdic")
	etl(t, dir, "build").must(t, 2).contains(t, "models/sources_shipments.yml:3", "encoding must be utf-8, latin-1 or utf-16")
}
