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
trap 'rm -rf "$work" /tmp/fuzz-api-* /tmp/fuzz-web-passkey-*' EXIT
for t in $targets; do
  mkdir -p "$work/$t"
  cp tests/fuzz/corpus/$t/* "$work/$t/"
  echo "== $t for ${secs}s"
  # libFuzzer stops at the first finding (crash, leak, timeout, out of
  # memory) and exits non-zero: that fails the run, with the input kept
  # in the log's report. -artifact_prefix keeps findings per target.
  if ! (cd "$work" && "$OLDPWD/build-fuzz/tests/fuzz/$t" -max_total_time="$secs" -max_len=4096 -timeout=5 \
          -artifact_prefix="$work/$t-" -print_final_stats=1 "$work/$t" >"$work/$t.log" 2>&1); then
    grep -E -A30 '==[0-9]+==ERROR|SUMMARY|Test unit written' "$work/$t.log" | head -60 >&2
    echo "$t found a bug" >&2
    exit 1
  fi
  grep -E '^stat::number_of_executed_units' "$work/$t.log" || true
done
echo "== fuzzing passed"
