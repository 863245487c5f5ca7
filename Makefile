# The two commands of the README: `make run` and `make test`.
GO ?= go
BIN := bin/etl

.PHONY: build run test fmt vet clean bench bench-day

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
