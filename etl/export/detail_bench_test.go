package export

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"etlrunner/etl/warehouse"
)

// BenchmarkDetailExport exports a synthetic notification_detail (70,000
// events a minute from 2020-02-03 23:57, stored in message order as a full
// build leaves it) in Parquet and CSV, the ways the project did and does:
//
//	plain          COPY ... PARTITION_BY (day) per format: the floor (rows in no set order)
//	minute         one file per minute of events, each format sorted from the relation
//	30min          one file per 30 minutes, the CSV rendered from the Parquet files
//	minute-run     an incremental run of one minute (1% redelivered, 0.1% moved
//	               earlier) on the minute layout, every touched file rewritten;
//	               first: right after a full write, next: the run after that
//	30min-run      the same runs on the 30-minute layout: files added, not rewritten
//
// Not part of make test. The row count defaults to 1M; the README's figure
// is taken at 10M:
//
//	EXPORT_BENCH_ROWS=10000000 go test -run '^$' -bench DetailExport -benchtime 1x ./etl/export
func BenchmarkDetailExport(b *testing.B) {
	rows := 1_000_000
	if s := os.Getenv("EXPORT_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		rows = n
	}
	ctx := context.Background()
	w, err := warehouse.Open(ctx, warehouse.Options{Path: filepath.Join(b.TempDir(), "w.duckdb")})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	db := w.DB
	run := func(stmts ...string) {
		for _, s := range stmts {
			if _, err := db.ExecContext(ctx, s); err != nil {
				b.Fatalf("%s: %v", s, err)
			}
		}
	}
	start := time.Now()
	run(fmt.Sprintf(`CREATE TABLE detail AS
		SELECT CAST(ts AS DATE) AS day, 'C' || lpad(CAST(cust AS VARCHAR), 4, '0') AS customer_id, 'Cliente ' || cust AS customer_name,
			md5(CAST(i AS VARCHAR)) AS message_id, (['whatsapp', 'whatsapp', 'sms', 'email'])[1 + CAST(i %% 4 AS INTEGER)] AS channel,
			'{"template":"pedido_enviado","to":"+55' || CAST(11900000000 + i * 7919 %% 89999999 AS VARCHAR) || '","vars":{"order":"' || CAST(100000 + i %% 900000 AS VARCHAR) || '"}}' AS payload,
			ts AS event_datetime
		FROM (SELECT i, CAST(floor(pow(hash(i) %% 1000 / 1000.0, 2) * 400) AS BIGINT) AS cust,
			TIMESTAMP '2020-02-03 23:57:00' + to_microseconds(CAST(i * 60000000 // 70000 AS BIGINT)) AS ts FROM range(%d) r(i))
		ORDER BY message_id`, rows), `CHECKPOINT`)
	b.Logf("%d rows generated in %s", rows, time.Since(start).Round(time.Millisecond))
	run(`CREATE TABLE base AS SELECT * FROM detail`)
	// minuteRun applies the next minute of events as the materializer
	// would (the old versions of replaced rows and the new rows go to the
	// change log): new messages, 1% redeliveries of the last minute's
	// (unchanged), and 0.1% of the last minute's messages moved 30 s
	// earlier.
	minuteRun := func(k int) {
		run(`CREATE OR REPLACE TABLE changes AS SELECT * FROM detail LIMIT 0`,
			fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE last_minute AS SELECT * FROM detail
				WHERE event_datetime >= (SELECT max(event_datetime) FROM detail) - INTERVAL 1 MINUTE`),
			fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE batch AS
				SELECT CAST(ts AS DATE) AS day, 'C0007' AS customer_id, 'Cliente 7' AS customer_name, md5('new%[1]d-' || i) AS message_id,
					'whatsapp' AS channel, '{}' AS payload, ts AS event_datetime
				FROM (SELECT i, (SELECT max(event_datetime) FROM detail) + to_microseconds(CAST(i * 60000000 // 70000 AS BIGINT)) AS ts FROM range(70000) r(i))
				UNION ALL SELECT * FROM last_minute USING SAMPLE 1 PERCENT (reservoir, %[1]d)
				UNION ALL SELECT * REPLACE (event_datetime - INTERVAL 30 SECOND AS event_datetime) FROM last_minute USING SAMPLE 0.1 PERCENT (reservoir, %[2]d)`, k, k+100),
			`INSERT INTO changes SELECT * FROM detail WHERE message_id IN (SELECT message_id FROM batch)`,
			`DELETE FROM detail WHERE message_id IN (SELECT message_id FROM batch)`,
			`INSERT INTO detail SELECT * FROM batch`, `INSERT INTO changes SELECT * FROM batch`)
	}

	seg := func(width string) *Segment { return &Segment{Column: "event_datetime", Width: width} }
	specs := func(width string, compact int) []Spec {
		order := []string{"customer_id", "event_datetime", "message_id"}
		return []Spec{
			{Model: "d", Relation: "detail", Format: Parquet, Path: "d/parquet", PartitionBy: []string{"day"}, Segment: seg(width), OrderBy: order, CompactAfter: compact},
			{Model: "d", Relation: "detail", Format: CSV, Path: "d/csv", PartitionBy: []string{"day"}, Segment: seg(width), OrderBy: order, CompactAfter: compact},
		}
	}
	// apart writes each spec on its own: no CSV from Parquet.
	apart := func(stage string, ss []Spec) ([]File, error) {
		var all []File
		for _, s := range ss {
			files, err := Write(ctx, db, stage, s)
			if err != nil {
				return nil, err
			}
			all = append(all, files...)
		}
		return all, nil
	}
	together := func(stage string, ss []Spec) ([]File, error) { return WriteAll(ctx, db, stage, ss) }
	full := func(name string, ss []Spec, write func(string, []Spec) ([]File, error)) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				files, err := write(b.TempDir(), ss)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(files)), "files")
			}
		})
	}
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			dir := b.TempDir()
			run(`COPY detail TO '`+dir+`/p' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day))`,
				`COPY detail TO '`+dir+`/c' (FORMAT csv, HEADER true, PARTITION_BY (day))`)
		}
	})
	full("minute", specs("1 minute", 0), apart)
	full("30min", specs("30 minutes", DefaultCompactAfter), together)

	// Minute runs on each layout: publish in full, then two minutes (the
	// time is the second's export). The first run after a full write
	// finds the moved rows in the segment's base file and writes the
	// segment again; the next finds them in the file the first added,
	// and rewrites only that.
	incr := func(name string, ss []Spec, write func(string, []Spec) ([]File, error)) {
		publish := func(b *testing.B, out string, ss []Spec, files []File) []Spec {
			stage := b.TempDir()
			got, err := write(stage, ss)
			if err != nil {
				b.Fatal(err)
			}
			if err := Publish(stage, out, got); err != nil {
				b.Fatal(err)
			}
			before := map[string]string{}
			for _, f := range files {
				before[f.Path] = f.SHA256
			}
			written := 0
			for _, f := range got {
				if before[f.Path] != f.SHA256 {
					written++
				}
			}
			b.ReportMetric(float64(written), "files-written")
			next := make([]Spec, len(ss))
			for i, s := range ss {
				s.Changes, s.OutputDir, s.Previous = "changes", out, nil
				for _, f := range got {
					if f.Format == s.Format {
						s.Previous = append(s.Previous, f)
					}
				}
				next[i] = s
			}
			return next
		}
		for i, step := range []string{"first", "next"} {
			b.Run(name+"/"+step, func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					run(`CREATE OR REPLACE TABLE detail AS SELECT * FROM base`)
					out := b.TempDir()
					next := publish(b, out, ss, nil)
					var files []File
					for k := range i + 1 {
						minuteRun(k)
						if k == i {
							b.StartTimer()
						}
						for _, s := range next {
							files = append(files, s.Previous...)
						}
						next = publish(b, out, next, files)
						files = nil
					}
				}
			})
		}
	}
	incr("minute-run", specs("1 minute", 0), apart)
	incr("30min-run", specs("30 minutes", DefaultCompactAfter), together)
	run(`CREATE OR REPLACE TABLE detail AS SELECT * FROM base`)
}
