#!/usr/bin/env bash
# The local PostgreSQL behind ./start.sh, for data you keep: fsync on (PostgreSQL's default), password authentication
# (scram-sha-256) with a generated password kept in .cache/postgres.password (mode 600), data in
# ${VERIFIER_DATA:-<repo>/.data}/postgres (never /tmp unless you ask), listening on 127.0.0.1:${VERIFIER_PGPORT:-55433}
# only. Installs Debian's package if missing. Idempotent. Prints the connection string (with the password) on its last line.
# scripts/pg.sh is the other one: the throwaway test cluster (/tmp, trust, fsync=off) — never for data you keep.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${VERIFIER_DATA:-$ROOT/.data}
PGDIR=$DATA/postgres
PORT=${VERIFIER_PGPORT:-55433}
PWFILE=$ROOT/.cache/postgres.password
. "$(dirname "$0")/pg-common.sh"
case "$DATA" in *[[:space:]]*) echo "error: VERIFIER_DATA must not contain spaces: $DATA" >&2; exit 1;; esac

mkdir -p "$ROOT/.cache" "$DATA"
[ -s "$PWFILE" ] || (umask 077 && openssl rand -hex 24 > "$PWFILE")
chmod 600 "$PWFILE"
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$DATA" && chmod 700 "$DATA"
  if ! su postgres -s /bin/sh -c "test -w $DATA"; then
    echo "error: the postgres user cannot reach $DATA (a parent folder is closed to it, e.g. a mode-700 home); set VERIFIER_DATA to a folder it can reach" >&2
    exit 1
  fi
fi
if [ ! -f "$PGDIR/PG_VERSION" ]; then
  pw=$(mktemp "$DATA/.initdb-pw.XXXXXX") # initdb runs as postgres, which cannot read .cache: a short-lived copy it owns
  cat "$PWFILE" > "$pw"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$pw"
  as_pg "$PGBIN/initdb -D $PGDIR -U postgres --pwfile=$pw --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8" >/dev/null
  rm -f "$pw"
fi
if ! as_pg "$PGBIN/pg_ctl -D $PGDIR status" >/dev/null 2>&1; then
  as_pg "$PGBIN/pg_ctl -D $PGDIR -l $DATA/postgres.log -w -o \"-c listen_addresses=127.0.0.1 -p $PORT -k $PGDIR\" start" >&2
fi
echo "Host=127.0.0.1;Port=$PORT;Username=postgres;Password=$(cat "$PWFILE");Database=verifier"
