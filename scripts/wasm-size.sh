#!/usr/bin/env bash
# Builds the release wasm (wasm-opt from npm binaryen 132) and prints its raw and gzip size. Budget: 300 KB gzip.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_build_tools
step "Release build (server + hydrate wasm, wasm-release profile)"
cargo leptos build --release
wasm="$ROOT/target/site/pkg/refcodes.wasm"
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
printf 'hydrate wasm: %d KB raw, %d KB gzip (budget 300 KB gzip)\n' $((raw / 1024)) $((gz / 1024))
if (( gz > 300 * 1024 )); then echo "over budget" >&2; exit 1; fi
