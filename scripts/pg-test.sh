#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests and prints its DSN on
# stdout (everything else goes to stderr):
#
#   SAFEER_TEST_POSTGRES=$(scripts/pg-test.sh) go test ./hq/...
#
# The cluster lives in $SAFEER_PG_DIR (default /tmp/safeer-pg), listens on
# 127.0.0.1 only, at a free port, with trust authentication and fsync off:
# it is for tests, never for data anyone wants to keep. Running the script
# again while the cluster runs just prints the DSN again. `scripts/pg-test.sh
# stop` stops it; `scripts/pg-test.sh clean` stops it and deletes it.
#
# PostgreSQL refuses to run as root, so as root the server runs as the
# postgres user (runuser); as any other user it runs as that user.
set -euo pipefail

dir=${SAFEER_PG_DIR:-/tmp/safeer-pg}
db=safeer_test

bin=${PG_BIN:-}
if [ -z "$bin" ]; then
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/pg_ctl" ] && bin=$d
	done
fi
if [ -z "$bin" ] && command -v pg_ctl >/dev/null; then
	bin=$(dirname "$(command -v pg_ctl)")
fi
if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
	echo "pg-test: PostgreSQL is not installed (no pg_ctl found); run scripts/deps.sh test" >&2
	exit 1
fi

# as runs a command as the cluster's owner.
if [ "$(id -u)" -eq 0 ]; then
	owner=postgres
	if ! id "$owner" >/dev/null 2>&1; then
		echo "pg-test: running as root but there is no postgres user to run the server as" >&2
		exit 1
	fi
	as() { runuser -u "$owner" -- "$@"; }
else
	owner=$(id -un)
	as() { "$@"; }
fi

mkdir -p "$dir"
chmod 0755 "$dir"
[ "$(id -u)" -eq 0 ] && chown "$owner" "$dir"

# One run at a time: two test runs starting together must not both initdb.
# (The server must not inherit this descriptor, or it would hold the lock.)
exec 9>"$dir.lock"
flock 9

data=$dir/data
portfile=$dir/port
log=$dir/server.log

running() { as "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

case "${1:-start}" in
stop)
	if [ -d "$data" ] && running; then as "$bin/pg_ctl" -D "$data" -m fast -w stop >&2; fi
	exit 0
	;;
clean)
	if [ -d "$data" ] && running; then as "$bin/pg_ctl" -D "$data" -m immediate -w stop >&2; fi
	rm -rf "$dir"
	exit 0
	;;
start) ;;
*)
	echo "usage: $0 [start|stop|clean]" >&2
	exit 2
	;;
esac

if [ ! -s "$data/PG_VERSION" ]; then
	rm -rf "$data"
	as "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		exit 1
	}
fi

free_port() {
	local p
	for p in $(seq 54329 54429); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "pg-test: no free port in 54329-54429" >&2
	return 1
}

if ! running; then
	port=$(cat "$portfile" 2>/dev/null || true)
	if [ -z "$port" ] || (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		port=$(free_port)
	fi
	echo "$port" >"$portfile"
	# The socket goes in our own directory: /var/run/postgresql may not exist
	# or may not be writable by the cluster's owner.
	as "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
		start </dev/null >&2 9>&- || {
		tail -n 20 "$log" >&2
		exit 1
	}
fi
port=$(cat "$portfile")

psql=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
if [ "$(as "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
	as "${psql[@]}" -c "CREATE DATABASE $db" >&2
fi

echo "postgres://postgres@127.0.0.1:$port/$db?sslmode=disable"
