package ingest

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// fuzzLoad writes data as the seed's only file and loads it: the load must
// either succeed, with the table holding exactly the rows it reports, or
// fail with an InputError.
func fuzzLoad(t *testing.T, db *sql.DB, seed Seed, name string, data []byte) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	seed.Pattern = name
	res, err := Load(context.Background(), db, seed, Options{Dir: dir, FullRefresh: true})
	if err != nil {
		var inErr *InputError
		if !errors.As(err, &inErr) {
			t.Fatalf("input %q: not an InputError: %v", data, err)
		}
		if inErr.Line < 1 || inErr.File != name {
			t.Fatalf("input %q: bad position in %v", data, err)
		}
		return
	}
	got := query(t, db, "SELECT count(*), count(*) FILTER (WHERE _source_line < 1) FROM "+seed.Schema+"."+seed.Table)
	if want := strconv.FormatInt(res.RowsLoaded, 10) + "|0"; got[0] != want {
		t.Fatalf("input %q: want rows|unnumbered %s, table has %s", data, want, got[0])
	}
}

func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		invHeader + "a,b,c,d\n",
		invHeader + "\"a\nb\",b,c,d\r\ne,f,g,h",
		invHeader + "a,b,c\n",
		invHeader + "\"a,b,c,d\n",
		"invoice,month,account,customer,note\n1,2,3,4,5\n",
		"\uFEFF\"customer\",\"account\",\"month\",\"invoice\"\n,,,\n",
		invHeader + "\n\n" + "a,\xff,c,d\n",
		"customer\n",
		"",
		"\x00\x01\x02",
	} {
		f.Add([]byte(s))
	}
	db := newDB(f)
	exec(f, db, `CREATE TABLE raw.invoices (customer VARCHAR, account VARCHAR, month VARCHAR, invoice VARCHAR,
		_source_file VARCHAR, _source_line BIGINT, _loaded_at TIMESTAMPTZ, _extra MAP(VARCHAR, VARCHAR))`)
	seed := Seed{Name: "fuzz", Format: FormatCSV, Schema: "raw", Table: "invoices"}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzLoad(t, db, seed, "in.csv", data)
	})
}

func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`[{"customer":"a","flow":"f","session":1,"timestamp":"t","content":{"x":[1,2]}}]`,
		"{\"customer\":\"a\",\"flow\":\"f\",\"session\":1,\"timestamp\":\"t\",\"content\":null}\n\n{\"customer\":\"b\"}",
		`[{"customer":"a"},`,
		`{"customer":"a",`,
		"[1, 2]",
		"\"text\"\n",
		"\uFEFF[]",
		"{}{}",
		"",
		"\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	db := newDB(f)
	exec(f, db, chatbotDDL)
	seed := Seed{Name: "fuzz", Format: FormatJSON, Schema: "raw", Table: "chatbot"}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzLoad(t, db, seed, "in.json", data)
	})
}
