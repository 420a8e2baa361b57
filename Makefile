# Safeer — the two commands a newcomer needs are `make run` and `make test`.
# Both install missing Debian packages first (as root; otherwise they say which).

GO      ?= go
BIN     := bin
DB      ?=
export CGO_ENABLED := 1

.PHONY: run build test vet fuzz bench deps-build deps-test clean

run: build
	$(BIN)/safeer $(if $(DB),--db $(DB))

build: deps-build
	$(GO) build -o $(BIN)/safeer ./cmd/safeer

test: deps-test vet
	$(GO) test -race -count=1 ./...

vet: deps-build
	$(GO) vet ./...

# Short runs of every fuzzer, to catch a regression in the parsers of outside input.
FUZZTIME ?= 10s
fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzPhone -fuzztime=$(FUZZTIME) ./data/parse/
	$(GO) test -run='^$$' -fuzz=FuzzDate -fuzztime=$(FUZZTIME) ./data/parse/
	$(GO) test -run='^$$' -fuzz=FuzzReadCSV -fuzztime=$(FUZZTIME) ./data/sheet/
	$(GO) test -run='^$$' -fuzz=FuzzFold -fuzztime=$(FUZZTIME) ./arabic/

# Benchmarks on generated data (100,000 people, 1,000,000 attendance rows);
# results go in docs/BENCHMARKS.md.
bench: deps-test
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=1x -timeout=60m ./data/ ./arabic/ ./certificate/

deps-build:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

clean:
	rm -rf $(BIN)
