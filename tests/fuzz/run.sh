#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# a bounded time from its committed seed corpus (copied: the committed
# corpus is not changed). Fails on any crash, leak or sanitizer report.
# Usage: tests/fuzz/run.sh [SECONDS_PER_TARGET]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-30}
CC=clang cmake -S . -B build-fuzz -DSESAME_FUZZ=ON -DSESAME_WERROR=ON -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
targets=$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
# shellcheck disable=SC2086
cmake --build build-fuzz -j"$(nproc)" --target $targets >/dev/null
work=$(mktemp -d /tmp/sesame-fuzz.XXXXXX)
trap 'rm -rf "$work" /tmp/fuzz-api-*' EXIT
for t in $targets; do
  mkdir -p "$work/$t"
  cp tests/fuzz/corpus/$t/* "$work/$t/"
  echo "== $t for ${secs}s"
  (cd "$work" && "$OLDPWD/build-fuzz/tests/fuzz/$t" -max_total_time="$secs" -max_len=4096 -timeout=5 \
     -print_final_stats=1 "$work/$t" 2>&1 | grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|==.*ERROR|SUMMARY)' || true)
  # libFuzzer exits non-zero on a finding; re-check by exit status
  (cd "$work" && "$OLDPWD/build-fuzz/tests/fuzz/$t" -runs=0 "$work/$t" >/dev/null 2>&1) ||
    { echo "$t: the corpus now crashes" >&2; exit 1; }
  ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null && { echo "$t found a bug" >&2; exit 1; }
done
echo "== fuzzing passed"
