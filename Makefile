# Safeer — the two commands a newcomer needs are `make run` and `make test`.
# Both install missing Debian packages first (as root; otherwise they say which).

GO      ?= go
BIN     := bin
DB      ?=
export CGO_ENABLED := 1

.PHONY: run build test vet fuzz bench soak package package-check deps-build deps-test deps-node clean

run: build
	$(BIN)/safeer $(if $(DB),--db $(DB))

build: deps-build
	$(GO) build -o $(BIN)/safeer ./cmd/safeer

# The HQ tests need PostgreSQL: scripts/pg-test.sh starts a throwaway cluster
# (as the postgres user when run as root) and prints its DSN.
# Then the device's store and sync client again with every test store
# encrypted (SAFEER_TEST_PROTECT=1, issue 14): the suites must pass either
# way; and HQ restored from a backup in the middle of the chaos run of real
# processes (e2e TestChaos with restores, issue 13): a short run of its own,
# not under -race (about a minute).
test: deps-test deps-node vet
	dsn="$$(scripts/pg-test.sh)" && SAFEER_TEST_POSTGRES="$$dsn" $(GO) test -race -count=1 -timeout=40m ./...
	SAFEER_TEST_PROTECT=1 $(GO) test -count=1 -timeout=20m ./data/ ./sync/client/
	SAFEER_CHAOS_RESTORE=1 SAFEER_CHAOS_ROUNDS=12 $(GO) test -count=1 -run '^TestChaos$$' -timeout 10m ./e2e/

vet: deps-build
	$(GO) vet ./...

# Short runs of every fuzzer of outside input (FUZZTIME each, default 10s).
fuzz:
	@scripts/fuzz.sh

# Benchmarks on generated data (100,000 people, 1,000,000 attendance rows);
# results go in docs/BENCHMARKS.md.
bench: deps-test
	$(GO) test -run='^$$' -bench=. -benchtime=1x -timeout=60m ./data/
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=3x ./certificate/
	$(GO) test -run='^$$' -bench=. -benchmem ./arabic/ ./spreadsheet/
	$(GO) test -run='^$$' -bench=. -benchtime=1x -timeout=30m ./ui/
	dsn="$$(scripts/pg-test.sh)" && SAFEER_TEST_POSTGRES="$$dsn" $(GO) test -run='^$$' -bench=. -benchtime=1x -timeout=30m ./hq/... ./sync/client/

# The soak (not in CI): the crash test with 1,000 SIGKILLs, the convergence
# property with 10,000 histories per HQ store (by network, then by file) and
# the chaos run of real processes, within SOAK_TIME (default 2h; e.g. make soak SOAK_TIME=8h).
# Figures go in docs/BENCHMARKS.md.
SOAK_TIME ?= 2h
soak: deps-test
	@scripts/soak.sh --time $(SOAK_TIME)

# A PNG of each screen of the app, in English and Arabic, into docs/screenshots/
# (from the UI tests, and from the real binary under Xvfb when it is installed),
# and of HQ's web pages (the browser test, when Chromium is installed).
screenshots: deps-build
	@scripts/screenshots.sh

# Release files into dist/: the app for Linux (fyne package's .tar.xz) and
# Windows (cross-compiled with mingw-w64), safeer-hq for both, SHA256SUMS;
# then checks them. The fyne command's version is pinned in scripts/package.sh.
package:
	@scripts/package.sh

# Checks what is in dist/ again without building.
package-check:
	@scripts/package.sh check

deps-build:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

# The npm packages of credential's independent check (credential/testdata/node:
# jose, ajv), exactly as package-lock.json pins them; again only when the lock
# file is newer than the last install. Node.js and npm come from Debian when
# missing (as root; otherwise it says which).
NODE_CHECK := credential/testdata/node
deps-node:
	@command -v node >/dev/null && command -v npm >/dev/null || { \
		if [ "$$(id -u)" -ne 0 ]; then echo "Safeer's tests need Node.js and npm: sudo apt-get install -y nodejs npm" >&2; exit 1; fi; \
		echo "Installing nodejs npm" >&2; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; }
	@[ $(NODE_CHECK)/node_modules/.installed -nt $(NODE_CHECK)/package-lock.json ] || { \
		cd $(NODE_CHECK) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; }

clean:
	rm -rf $(BIN) dist .bin
