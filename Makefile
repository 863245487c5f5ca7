# The two commands of the README: `make run` and `make test`.
GO ?= go
BIN := bin/etl

.PHONY: build run test test-crash fuzz fmt vet clean bench bench-day

build:
	$(GO) build -o $(BIN) ./etl

# Build, then run the whole pipeline on the project's seeds into output/.
run: build
	./$(BIN) build

# Formatting and vet checks, then every test.
test:
	@unformatted="$$(gofmt -l etl)"; if [ -n "$$unformatted" ]; then echo "not gofmt-formatted:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# The crash test with 24 kills of real etl processes (make test runs 4).
test-crash:
	ETL_CRASH_TRIALS=24 $(GO) test -count=1 -run '^TestCrashRecovery$$' -v ./etl/robustness

# Every fuzz target for FUZZTIME each (package:target).
FUZZTIME ?= 10s
FUZZ_TARGETS := \
	etl/project:FuzzLoadProjectFile etl/project:FuzzLoadYAML etl/plan:FuzzSelect \
	etl/tmpl:FuzzRender etl/tmpl:FuzzSQLString etl/ingest:FuzzCSV etl/ingest:FuzzJSON \
	etl/export:FuzzParsePath etl/export:FuzzHiveEscape etl/export:FuzzParseRelation \
	etl/export:FuzzParseOrderTerm etl/export:FuzzCheckSplitValue etl/warehouse:FuzzQuote \
	etl/migrate:FuzzSanitizeName etl/bench/baseline:FuzzTokenize etl/cli:FuzzShipmentsBronze \
	etl/cli:FuzzEcommerceCDCBase64Decimal etl/cli:FuzzCampaignParsers etl/cli:FuzzCampaignRebateCap
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; echo "== $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) ./$$pkg; \
	done

fmt:
	gofmt -w etl

clean: build
	./$(BIN) clean

# The benchmark (etl/bench): runner overhead against a plain replay of its
# statements, start-up times, minute batches, and the notification build
# against etl-plain (the same job written by hand in plain DuckDB), printed
# as one table. Scratch data goes to target/bench; BENCH_FLAGS passes
# options (see `go run ./etl/bench -h`).
BENCH_FLAGS ?=
bench: build
	$(GO) build -o bin/etl-baseline ./etl/bench/baseline
	$(GO) build -o bin/etl-plain ./etl/bench/plain
	$(GO) build -o bin/etl-bench ./etl/bench
	./bin/etl-bench -etl $(BIN) -baseline bin/etl-baseline -plain bin/etl-plain $(BENCH_FLAGS)

# A full day: 100M notification events over 1,440 minute files (tens of GB
# of disk), built by the runner and by etl-plain, then a minute batch on top.
bench-day: build
	$(GO) build -o bin/etl-plain ./etl/bench/plain
	$(GO) build -o bin/etl-bench ./etl/bench
	./bin/etl-bench -day -etl $(BIN) -plain bin/etl-plain $(BENCH_FLAGS)
