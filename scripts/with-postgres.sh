#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster: made with the machine's initdb in
# a temporary folder, listening only on a Unix socket there, removed when the command ends.
# Usage: scripts/with-postgres.sh COMMAND...  (DATABASE_URL is set for the command)
# PG_SERVER_OPTIONS adds server settings, e.g. "-c shared_buffers=4GB" for the 1M benchmark.
set -euo pipefail

pg_bin=""
if command -v initdb >/dev/null 2>&1; then
  pg_bin=$(dirname "$(readlink -f "$(command -v initdb)")")
else
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "PostgreSQL server binaries (initdb, pg_ctl) were not found." >&2
  echo "Install Debian's postgresql package (apt-get install postgresql) and try again." >&2
  exit 1
fi

tmp=$(mktemp -d /tmp/alongside-pg.XXXXXX)
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root: use the postgres account, creating one if needed.
  id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  chown postgres "$tmp"
  run_as=(runuser -u postgres --)
fi

cleanup() {
  "${run_as[@]}" "$pg_bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"${run_as[@]}" "$pg_bin/initdb" -D "$tmp/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
  --no-sync >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; exit 1; }
"${run_as[@]}" "$pg_bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -s start \
  -o "-k $tmp -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 ${PG_SERVER_OPTIONS:-}" \
  || { cat "$tmp/server.log" >&2; exit 1; }

export DATABASE_URL="postgres://postgres@/alongside?host=$tmp"
"$@"
