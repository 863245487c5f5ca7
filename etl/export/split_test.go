package export

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// chatbotDB holds a long table like the chatbot answers model: one row per
// answer, with the answer's position in its flow.
func chatbotDB(t *testing.T) string {
	t.Helper()
	return `CREATE TABLE answers AS SELECT * FROM (VALUES
		('C1000', 'F1000', 'S1000', TIMESTAMP '2019-12-16 13:59:58', TIMESTAMP '2019-12-16 14:00:01', 'name', 'maria', 1),
		('C1000', 'F1000', 'S1000', TIMESTAMP '2019-12-16 13:59:58', TIMESTAMP '2019-12-16 14:00:01', 'cpf', '305.584.960-40', 2),
		('C1000', 'F1000', 'S1000', TIMESTAMP '2019-12-16 13:59:58', TIMESTAMP '2019-12-16 14:00:01', 'delivery_confirmed', 'true', 3),
		('C1000', 'F1000', 'S2000', TIMESTAMP '2019-12-16 13:59:59', TIMESTAMP '2019-12-16 14:00:00', 'delivery_confirmed', 'false', 3),
		('C1000', 'F1000', 'S2000', TIMESTAMP '2019-12-16 13:59:59', TIMESTAMP '2019-12-16 14:00:00', 'cpf', '733.600.420-26', 2),
		('C1000', 'F1000', 'S2000', TIMESTAMP '2019-12-16 13:59:59', TIMESTAMP '2019-12-16 14:00:00', 'name', 'joao', 1),
		('C2000', 'F2000', 'S3000', TIMESTAMP '2020-02-03 14:00:00', TIMESTAMP '2020-02-03 14:00:01.001', 'zip', '01001-000', 2),
		('C2000', 'F2000', 'S3000', TIMESTAMP '2020-02-03 14:00:00', TIMESTAMP '2020-02-03 14:00:01.001', 'email', 'a@b.c', 1),
		('C2000', 'F2000', 'S3000', TIMESTAMP '2020-02-03 14:00:00', TIMESTAMP '2020-02-03 14:00:01.001', 'age', '30', 2),
		('C1000', 'F2000', 'S4000', TIMESTAMP '2020-02-03 15:00:00', TIMESTAMP '2020-02-03 15:00:00', 'email', 'x,y@z', 1)
	) v(customer, flow, session, first_answer_dt, last_answer_dt, answer_key, answer_value, key_position)`
}

func chatbotSpec(f Format) Spec {
	return Spec{
		Model: "chatbot_report", Relation: "answers", Format: f, SplitBy: "flow",
		Pivot: &Pivot{
			Index: []string{"customer", "flow", "session", "first_answer_dt", "last_answer_dt"},
			Names: "answer_key", Values: "answer_value", Order: "key_position",
		},
	}
}

func TestSplitPivot(t *testing.T) {
	db := openDB(t, chatbotDB(t))
	stage := t.TempDir()
	files := mustWrite(t, db, stage, chatbotSpec(CSV))
	wantPaths := []string{"chatbot_report/flow=F1000.csv", "chatbot_report/flow=F2000.csv"}
	if got := filePaths(files); !reflect.DeepEqual(got, wantPaths) {
		t.Fatalf("paths = %v, want %v", got, wantPaths)
	}
	want := map[string]string{
		"chatbot_report/flow=F1000.csv": "customer,flow,session,first_answer_dt,last_answer_dt,name,cpf,delivery_confirmed\n" +
			"C1000,F1000,S1000,2019-12-16T13:59:58,2019-12-16T14:00:01,maria,305.584.960-40,true\n" +
			"C1000,F1000,S2000,2019-12-16T13:59:59,2019-12-16T14:00:00,joao,733.600.420-26,false\n",
		// Columns by first position, ties (age, zip at 2) by name; a
		// session without an answer gets an empty field.
		"chatbot_report/flow=F2000.csv": "customer,flow,session,first_answer_dt,last_answer_dt,email,age,zip\n" +
			"C1000,F2000,S4000,2020-02-03T15:00:00,2020-02-03T15:00:00,\"x,y@z\",,\n" +
			"C2000,F2000,S3000,2020-02-03T14:00:00,2020-02-03T14:00:01.001,a@b.c,30,01001-000\n",
	}
	for _, f := range files {
		t.Run(f.Path, func(t *testing.T) {
			if got := readText(t, staged(stage, f.Path)); got != want[f.Path] {
				t.Fatalf("csv:\n%s\nwant:\n%s", got, want[f.Path])
			}
			if f.Rows != 2 || f.Unit != "chatbot_report" || f.Model != "chatbot_report" {
				t.Fatalf("file = %+v", f)
			}
		})
	}
}

func TestSplitPivotParquet(t *testing.T) {
	db := openDB(t, chatbotDB(t))
	stage := t.TempDir()
	files := mustWrite(t, db, stage, chatbotSpec(Parquet))
	if len(files) != 2 || files[1].Path != "chatbot_report/flow=F2000.parquet" {
		t.Fatalf("files = %v", filePaths(files))
	}
	var names []string
	for _, c := range files[1].Columns {
		names = append(names, c.Name+" "+c.Type)
	}
	want := "customer VARCHAR,flow VARCHAR,session VARCHAR,first_answer_dt TIMESTAMP,last_answer_dt TIMESTAMP,email VARCHAR,age VARCHAR,zip VARCHAR"
	if got := strings.Join(names, ","); got != want {
		t.Fatalf("columns = %s, want %s", got, want)
	}
}

func TestSplitWithoutPivot(t *testing.T) {
	db := openDB(t, `CREATE TABLE t AS SELECT * FROM (VALUES (2, 'b'), (1, 'a'), (3, 'b')) v(n, grp)`)
	stage := t.TempDir()
	files := mustWrite(t, db, stage, Spec{Model: "m", Relation: "t", Format: CSV, SplitBy: "grp", Path: "out/by_group"})
	if got := filePaths(files); !reflect.DeepEqual(got, []string{"out/by_group/grp=a.csv", "out/by_group/grp=b.csv"}) {
		t.Fatalf("paths = %v", got)
	}
	if got := readText(t, staged(stage, "out/by_group/grp=b.csv")); got != "n,grp\n2,b\n3,b\n" {
		t.Fatalf("csv = %q", got)
	}
}

func TestBadSplitValue(t *testing.T) {
	cases := []struct {
		value string
		want  string
	}{
		{"'a/b'", "path separator"},
		{`'a\b'`, "path separator"},
		{"'..'", `".."`},
		{"'x..y'", `".."`},
		{"''", "empty value"},
		{"NULL", "NULL values"},
	}
	for _, tc := range cases {
		t.Run(tc.value, func(t *testing.T) {
			db := openDB(t, `CREATE TABLE t (k VARCHAR, v INTEGER)`, `INSERT INTO t VALUES ('ok', 1), (`+tc.value+`, 2)`)
			stage := t.TempDir()
			_, err := Write(context.Background(), db, stage, Spec{Model: "m", Relation: "t", Format: CSV, SplitBy: "k"})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "split_by k") {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			if entries, _ := readDirNames(stage); len(entries) != 0 {
				t.Fatalf("stage holds %v after a rejected split", entries)
			}
		})
	}
}

func TestPivotNameCollision(t *testing.T) {
	db := openDB(t, `CREATE TABLE t AS SELECT * FROM (VALUES ('s1', 'Session', 'x')) v(session, k, val)`)
	_, err := Write(context.Background(), db, t.TempDir(), Spec{Model: "m", Relation: "t", Format: CSV,
		Pivot: &Pivot{Index: []string{"session"}, Names: "k", Values: "val"}})
	if err == nil || !strings.Contains(err.Error(), `collides with column "session"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestPivotWithoutSplit(t *testing.T) {
	db := openDB(t, `CREATE TABLE kv AS SELECT * FROM (VALUES
		('s2', 'b', 2.50::DECIMAL(5,2)), ('s1', 'b', 1.00::DECIMAL(5,2)), ('s1', 'a', 3.10::DECIMAL(5,2))
	) v(session, k, val)`)
	stage := t.TempDir()
	files := mustWrite(t, db, stage, Spec{Model: "wide", Relation: "kv", Format: CSV,
		Pivot: &Pivot{Index: []string{"session"}, Names: "k", Values: "val"}})
	if len(files) != 1 || files[0].Path != "wide.csv" || files[0].Rows != 2 {
		t.Fatalf("files = %+v", files)
	}
	// Without an order column the new columns are sorted by name.
	if got := readText(t, staged(stage, "wide.csv")); got != "session,a,b\ns1,3.10,1.00\ns2,,2.50\n" {
		t.Fatalf("csv = %q", got)
	}
}
