#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME (default 10s) each.
set -euo pipefail
time=${FUZZTIME:-10s}
for pkg in $(go list ./...); do
	for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
		echo "== $pkg $target"
		go test -run='^$' -fuzz="^${target}\$" -fuzztime="$time" "$pkg"
	done
done
