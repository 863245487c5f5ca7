package export

import (
	"context"
	"testing"

	"etlrunner/etl/warehouse"
)

// BenchmarkSegmentedWrite compares a full write of 2M rows in 60 one-minute
// segments with an incremental one after changes in two of them, and with
// the same rows in one unsegmented file.
func BenchmarkSegmentedWrite(b *testing.B) {
	for _, f := range []Format{Parquet, CSV} {
		w, err := warehouse.Open(context.Background(), warehouse.Options{})
		if err != nil {
			b.Fatal(err)
		}
		db := w.DB
		run := func(stmts ...string) {
			for _, s := range stmts {
				if _, err := db.ExecContext(context.Background(), s); err != nil {
					b.Fatalf("%s: %v", s, err)
				}
			}
		}
		run(`CREATE TABLE notif AS SELECT i AS id, DATE '2020-02-03' AS day,
			TIMESTAMP '2020-02-03 10:00:00' + INTERVAL (i * 1800 // 1000) MILLISECOND AS sent_at,
			'ch' || (i % 5) AS channel, md5(CAST(i AS VARCHAR)) AS body FROM range(2000000) r(i)`)
		spec := Spec{Model: "notif", Relation: "notif", Format: f, PartitionBy: []string{"day"}, OrderBy: []string{"id"},
			Segment: &Segment{Column: "sent_at", Width: "1 minute"}}
		out, stage := b.TempDir(), b.TempDir()
		files, err := Write(context.Background(), db, stage, spec)
		if err != nil {
			b.Fatal(err)
		}
		if err := Publish(stage, out, files); err != nil {
			b.Fatal(err)
		}
		run(`CREATE TABLE changes AS SELECT * FROM notif WHERE sent_at >= TIMESTAMP '2020-02-03 10:10:00' AND sent_at < TIMESTAMP '2020-02-03 10:11:00' AND id % 100 = 0`,
			`DELETE FROM notif WHERE sent_at >= TIMESTAMP '2020-02-03 10:10:00' AND sent_at < TIMESTAMP '2020-02-03 10:11:00' AND id % 100 = 0`,
			`INSERT INTO notif SELECT 2000000 + i, DATE '2020-02-03', TIMESTAMP '2020-02-03 10:59:59', 'ch0', 'late' FROM range(1000) r(i)`,
			`INSERT INTO changes SELECT * FROM notif WHERE id >= 2000000`)
		whole := spec
		whole.Segment = nil
		modes := []struct {
			name  string
			spec  Spec
			files int
		}{
			{"unsegmented", whole, 1},
			{"full", spec, 60},
			{"incremental", incremental(spec, out, files), 60},
		}
		for _, m := range modes {
			b.Run(string(f)+"/"+m.name, func(b *testing.B) {
				for b.Loop() {
					got, err := Write(context.Background(), db, stage, m.spec)
					if err != nil || len(got) != m.files {
						b.Fatalf("%d files, %v", len(got), err)
					}
				}
			})
		}
		w.Close()
	}
}
