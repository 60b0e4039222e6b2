#!/usr/bin/env bash
# The THROWAWAY TEST cluster (test.sh, the test suites): installs Debian's package if missing, initialises a cluster
# under $PGROOT (default /tmp/verifier-pg) with trust authentication and fsync=off, listens on 127.0.0.1:$PGPORT
# (default 55432). Fast and unsafe: a crash can lose or corrupt its data. Never keep data here — ./start.sh uses
# scripts/pg-durable.sh. Idempotent. Prints the connection string on its last line.
set -euo pipefail
PGROOT=${PGROOT:-/tmp/verifier-pg}
PGPORT=${PGPORT:-55432}
. "$(dirname "$0")/pg-common.sh"
mkdir -p "$PGROOT"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PGROOT"
if [ ! -f "$PGROOT/data/PG_VERSION" ]; then
  as_pg "$PGBIN/initdb -D $PGROOT/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 -N" >/dev/null
fi
if ! as_pg "$PGBIN/pg_ctl -D $PGROOT/data status" >/dev/null 2>&1; then
  as_pg "$PGBIN/pg_ctl -D $PGROOT/data -l $PGROOT/log -w -o \"-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGROOT -c max_connections=300 -c fsync=off\" start" >&2
fi
echo "Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=verifier"
