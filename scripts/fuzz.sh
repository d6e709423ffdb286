#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets) RUNS times (default 1 000 000) with nightly and cargo-fuzz, installing
# cargo-fuzz when it is missing. Not part of the test command: the instrumented build takes ~13 min cold here.
source "$(dirname "$0")/lib.sh"
cd "$ROOT/fuzz"
runs="${1:-1000000}"
if ! command -v cargo-fuzz >/dev/null; then
  step "Installing cargo-fuzz (once)"
  cargo install cargo-fuzz --debug
fi
# The app is always built with `--cfg erase_components` (.cargo/config.toml); cargo-fuzz's RUSTFLAGS replace that list.
export RUSTFLAGS="--cfg erase_components" SQLX_OFFLINE=true
for target in ref_code cookie_header webhook_body wire_error cursor; do
  step "Fuzzing $target: $runs runs"
  cargo +nightly fuzz run -s none "$target" -- -runs="$runs" -max_len=4096
done
