#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine (Python 3.11, pip, root),
# then run it: system packages, Python packages, a throwaway PostgreSQL server, lint, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

need=()
[ -n "$(pg_bin)" ] || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v npm >/dev/null || need+=(nodejs npm)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)  # the Spark engine's test
# the ftm extra's PyICU is published as source only: ICU headers, pkg-config and a C++ compiler
[ -f /usr/include/unicode/utypes.h ] || need+=(libicu-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v g++ >/dev/null || need+=(g++)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  mkdir -p /usr/share/man/man1  # the JRE's post-install links a man page (slim images lack the folder)
  apt-get install -y -q --no-install-recommends "${need[@]}"
fi

echo "== installing the web app's front-end libraries (npm registry) into the package"
npm ci --no-audit --no-fund

echo "== installing dentrace with its test dependencies (and PySpark for the Spark engine)"
python3 -m pip install -q --disable-pip-version-check -e '.[dev,spark,ftm]'

echo "== starting a throwaway PostgreSQL server"
PGBIN=$(pg_bin)
PGTMP=$(mktemp -d)
chown postgres:postgres "$PGTMP"
PGPORT=${DENTRACE_TEST_PG_PORT:-55432}
runuser -u postgres -- "$PGBIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 >"$PGTMP/initdb.log"
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGTMP/data" \
  -o "-p $PGPORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off" -l "$PGTMP/log" -w start >/dev/null
stop_pg() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$PGTMP"; }
trap stop_pg EXIT
export DENTRACE_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
export DENTRACE_REQUIRE_PG=1
export DENTRACE_REQUIRE_SPARK=1
export DENTRACE_CHROMIUM=/usr/bin/chromium

echo "== ruff"
python3 -m ruff check src tests benchmarks
echo "== mypy"
python3 -m mypy
echo "== import-linter"
lint-imports
echo "== pytest"
python3 -m pytest "$@"
