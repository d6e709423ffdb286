#!/usr/bin/env bash
# Builds the release wasm split into lazy chunks (wasm-opt from npm binaryen 132) and prints the raw and gzip size
# of the main module — what every page loads before it is interactive — and of the lazily loaded rest.
# Budget: 300 KB gzip for the main module.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
# --no-build: measure the release site already built (scripts/test.sh builds it for its browser journeys).
if [[ "${1:-}" != "--no-build" ]]; then
  ensure_build_tools
  step "Release build of the hydrate wasm, split into lazy chunks (wasm-release profile)"
  leptos_release_build --split --frontend-only
fi
pkg="$ROOT/target/site/pkg"
# The build names the main module by its content (hash.txt beside the release server binary).
main="$pkg/refcodes.$(awk '/^wasm:/ { print $2 }' "$CARGO_TARGET_DIR/release/hash.txt").wasm"
gz() { gzip -9 -c "$1" | wc -c; }
main_raw=$(stat -c %s "$main")
main_gz=$(gz "$main")
rest_raw=0 rest_gz=0 files=0
for f in "$pkg"/*.wasm; do
  [[ "$f" == "$main" ]] && continue
  rest_raw=$((rest_raw + $(stat -c %s "$f"))) rest_gz=$((rest_gz + $(gz "$f"))) files=$((files + 1))
done
printf 'main hydrate wasm: %d KB raw, %d KB gzip (budget 300 KB gzip)\n' $((main_raw / 1024)) $((main_gz / 1024))
printf 'lazy chunks:       %d files, %d KB raw, %d KB gzip in all\n' "$files" $((rest_raw / 1024)) $((rest_gz / 1024))
if (( main_gz > 300 * 1024 )); then echo "over budget" >&2; exit 1; fi
