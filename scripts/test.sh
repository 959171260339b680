#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs what is
# missing, builds with -Werror, runs every ctest label (unit, integration),
# then the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer.
# Usage: scripts/test.sh [--no-asan]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
sesame_install_deps "${SESAME_BUILD_DEPS[@]}" "${SESAME_RUN_DEPS[@]}" "${SESAME_TEST_DEPS[@]}"

echo "== format (clang-format, .clang-format)"
git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror

jobs=$(nproc)
run_suite() { # build-dir cmake-options...
  local dir=$1; shift
  echo "== build $dir ($*)"
  cmake -S . -B "$dir" -DSESAME_WERROR=ON -DSESAME_TEST_PG=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  echo "== test $dir"
  (cd "$dir" && ctest --output-on-failure -j"$jobs")
}

run_suite build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [[ ${1:-} != --no-asan ]]; then
  run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DSESAME_SANITIZE=ON
fi
echo "== all tests passed"
