# The two commands of the README: `make run` and `make test`.
GO ?= go
BIN := bin/etl

.PHONY: build run test fmt vet clean

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
