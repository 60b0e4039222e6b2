#!/usr/bin/env bash
# Runs the whole test suite against a real PostgreSQL (started locally unless VERIFIER_TEST_DB is set) and the real
# tokenizer data / ONNX Runtime (fetched, sha256-checked). Ends with a plain "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")"
scripts/fetch-assets.sh >&2 || exit 1
if [ -z "${VERIFIER_TEST_DB:-}" ]; then
  scripts/pg.sh >/dev/null || exit 1
  export VERIFIER_TEST_DB="Host=127.0.0.1;Port=${PGPORT:-55432};Username=postgres;Database=postgres"
fi
# The dashboard's browser tests drive Debian's chromium (Playwright's own browser download is not used).
if [ ! -x /usr/bin/chromium ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  apt="$sudo env DEBIAN_FRONTEND=noninteractive apt-get"
  $apt install -y --no-install-recommends chromium fonts-liberation >&2 \
    || { $apt update >&2 && $apt install -y --no-install-recommends chromium fonts-liberation >&2; } || exit 1
fi
rm -rf TestResults
dotnet test Verifier.sln --logger "trx" --results-directory TestResults "$@"
status=$?
passed=0; failed=0
for f in TestResults/*.trx; do
  [ -f "$f" ] || continue
  c=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(echo "$c" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p'); x=$(echo "$c" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0})); failed=$((failed + ${x:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi # a build or runner failure counts
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
