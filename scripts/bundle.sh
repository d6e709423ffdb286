#!/usr/bin/env bash
# Builds the release bundle an operator deploys: target/dist/refcodes-<version>/ with the server binary (migrations
# are embedded in it), hash.txt (the site files' content-hashed names), site/ (hydrate wasm, JS, CSS) and env.example (every setting, with production notes).
# --no-build: bundle the release build already made (scripts/test.sh builds it for its browser journeys).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
if [[ "${1:-}" != "--no-build" ]]; then
  ensure_build_tools
  step "Release build (server + split hydrate wasm, its files also as .br and .gz)"
  leptos_release_build --split --precompress
fi
version="$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)"
dist="$ROOT/target/dist/refcodes-$version"
rm -rf "$dist"
mkdir -p "$dist"
cp "$CARGO_TARGET_DIR/release/refcodes" "$dist/refcodes"
# The content-hashed names of the site files; the server reads them from beside its binary.
cp "$CARGO_TARGET_DIR/release/hash.txt" "$dist/hash.txt"
cp -r "$ROOT/target/site" "$dist/site"
cp "$ROOT/deploy/env.example" "$dist/env.example"
note "bundle: $dist ($(du -sh "$dist" | cut -f1))"
echo "$dist"
