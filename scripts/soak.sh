#!/bin/sh
# The soak (make soak; not in CI): long runs of the evidence that sync never
# loses an edit, each stopping at its share of a time limit.
#
#   scripts/soak.sh [--time 4h]     or   make soak SOAK_TIME=4h
#
#   1. the crash test (e2e TestSyncKilledAtRandomMoments): SIGKILLs at random
#      moments of a real `safeer sync` (and of safeer-hq), SOAK_KILLS of them
#      (default 1000);
#   2. the convergence property (hq TestConvergence) on each HQ store,
#      SOAK_HISTORIES random histories each (default 10000);
#   3. the convergence property with sync by file (hq TestConvergenceByFile:
#      each sync by network or by a file read and loaded late, twice or
#      never) on each HQ store, SOAK_HISTORIES random histories each;
#   4. the chaos run (e2e TestChaos): real processes, four devices in two
#      governorates, SOAK_CHAOS_ROUNDS rounds (default: as many as fit);
#      SOAK_CHAOS_RESTORE=1 adds HQ restored from a backup now and then
#      (see docs/BENCHMARKS.md, the soak).
#
# Shares of the time: crash 25%, convergence 15% per store, convergence by
# file 10% per store, chaos 25%. A step that reaches its count first ends
# early; one that reaches its time stops
# starting new work, checks what it did and says how much that was. Each
# step gets 15 more minutes for its last checks before `go test` gives up.
# Logs go to SOAK_LOG (default $TMPDIR/safeer-soak-TIME/); the figures are printed at
# the end, for docs/BENCHMARKS.md. The machine should be otherwise idle for
# figures worth comparing. Exit status: 1 if any step failed (its log says
# how, with the seed that replays it).
set -eu
cd "$(dirname "$0")/.."

limit=${SOAK_TIME:-2h}
while [ $# -gt 0 ]; do
	case $1 in
	--time) limit=$2; shift 2 ;;
	--time=*) limit=${1#--time=}; shift ;;
	*) echo "usage: $0 [--time DURATION]  (e.g. 90m, 4h, 3600s)" >&2; exit 2 ;;
	esac
done
case $limit in
*h) secs=$(( ${limit%h} * 3600 )) ;;
*m) secs=$(( ${limit%m} * 60 )) ;;
*s) secs=${limit%s} ;;
*[!0-9]* | '') echo "soak: --time $limit: say 90m, 4h or 3600s" >&2; exit 2 ;;
*) secs=$limit ;;
esac

kills=${SOAK_KILLS:-1000}
histories=${SOAK_HISTORIES:-10000}
rounds=${SOAK_CHAOS_ROUNDS:-1000000}
GO=${GO:-go}
logs=${SOAK_LOG:-${TMPDIR:-/tmp}/safeer-soak-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$logs"
dsn=$(scripts/pg-test.sh)
export SAFEER_TEST_POSTGRES="$dsn"

echo "soak: $limit ($secs s): $kills kills, $histories histories per HQ store (by network, then by file), chaos rounds until its share ends; logs in $logs"
start=$(date +%s)
failed=""

# step NAME PERCENT PACKAGE RUN [VAR=VALUE...]: go test -run RUN in PACKAGE
# with SAFEER_SOAK_UNTIL at PERCENT of the time limit from now.
step() {
	name=$1 pct=$2 pkg=$3 run=$4
	shift 4
	share=$(( secs * pct / 100 ))
	until=$(date -u -d "@$(( $(date +%s) + share ))" +%Y-%m-%dT%H:%M:%SZ)
	t0=$(date +%s)
	echo "soak: $name (until $until)"
	if env "$@" SAFEER_SOAK_UNTIL="$until" $GO test -count=1 -v -run "$run" \
		-timeout "$(( share + 900 ))s" "$pkg" >"$logs/$name.log" 2>&1; then
		result=ok
	else
		result=FAILED
		failed="$failed $name"
	fi
	echo "soak: $name $result in $(( $(date +%s) - t0 )) s"
}

step crash 25 ./e2e/ '^TestSyncKilledAtRandomMoments$' SAFEER_CRASH_KILLS="$kills"
step converge-sqlite 15 ./hq/ '^TestConvergence$/^sqlite$' RAPID_CHECKS="$histories"
step converge-postgres 15 ./hq/ '^TestConvergence$/^postgres$' RAPID_CHECKS="$histories"
step file-sqlite 10 ./hq/ '^TestConvergenceByFile$/^sqlite$' RAPID_CHECKS="$histories"
step file-postgres 10 ./hq/ '^TestConvergenceByFile$/^postgres$' RAPID_CHECKS="$histories"
step chaos 25 ./e2e/ '^TestChaos$' SAFEER_CHAOS_ROUNDS="$rounds" SAFEER_CHAOS_RESTORE="${SOAK_CHAOS_RESTORE:-0}"

echo
echo "soak: figures ($(( $(date +%s) - start )) s in all)"
for name in crash converge-sqlite converge-postgres file-sqlite file-postgres chaos; do
	# The summary lines the tests log, and the first failure of each.
	grep -h -E 'runs of safeer sync sent SIGKILL|histories: |chaos: [0-9]+ rounds|seed [0-9]+ \(|^\s+--- FAIL|rapid.seed|unaccounted|differs from HQ' \
		"$logs/$name.log" 2>/dev/null | sed "s/^ */$name: /" | head -20
done
if [ -n "$failed" ]; then
	echo "soak: FAILED:$failed (see $logs)"
	exit 1
fi
echo "soak: all steps passed"
