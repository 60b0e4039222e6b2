#!/usr/bin/env bash
# Starts R1 Verifier on http://127.0.0.1:8080 (VERIFIER_URLS to change). Without VERIFIER_DB it installs and starts a
# durable local PostgreSQL (scripts/pg-durable.sh: fsync on, password auth, data in ${VERIFIER_DATA:-.data}/postgres).
# Fetches pinned assets, builds, migrates, prints a first admin key, serves.
set -euo pipefail
cd "$(dirname "$0")"
scripts/fetch-assets.sh >&2
if [ -z "${VERIFIER_DB:-}" ]; then
  VERIFIER_DB=$(scripts/pg-durable.sh | tail -1)
  export VERIFIER_DB
fi
if [ -z "${VERIFIER_ENCRYPTION_KEY:-}" ]; then
  # vendor API keys are encrypted with this; keep it (and back it up) or stored keys become unreadable
  mkdir -p .cache && [ -f .cache/encryption.key ] || (umask 077 && openssl rand -base64 32 > .cache/encryption.key)
  VERIFIER_ENCRYPTION_KEY=$(cat .cache/encryption.key)
  export VERIFIER_ENCRYPTION_KEY
fi
dotnet build src/Verifier.Cli -c Release -nologo -v quiet >&2
verifier() { dotnet src/Verifier.Cli/bin/Release/net10.0/verifier.dll "$@"; }
verifier migrate
if ! verifier keys list | grep -q ' admin .*active'; then
  echo "First admin key (shown once; use it as 'Authorization: Bearer <key>'):"
  verifier keys create --role admin --name first-admin | tail -1
fi
echo "Serving on ${VERIFIER_URLS:-http://127.0.0.1:8080} (Ctrl+C to stop)"
exec dotnet src/Verifier.Cli/bin/Release/net10.0/verifier.dll serve --urls "${VERIFIER_URLS:-http://127.0.0.1:8080}"
