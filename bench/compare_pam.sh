#!/usr/bin/env bash
# The PAM door of several builds, interleaved in one run (docs/benchmarks.md,
# "The protocol client without libcurl"): for each round and each tree, a
# fresh daemon of that tree with 300 TOTP users (known to NSS through
# nss_wrapper), that tree's bench_pam inside one PAM handle — FAILURES wrong
# codes, then 300 right ones — and pam_oath's failures in the same round.
# Prints medians in µs. Each TREE is a checkout; its build-bench is built
# when missing (Release, the bench target).
# Usage: bench/compare_pam.sh ROUNDS TREE [TREE...]   (as root)
#        FAILURES=1500 by default
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=$1
shift
FAILURES=${FAILURES:-1500}
. bench/common.sh
bench_setup compare-pam libpam-oath libnss-wrapper oathtool
for tree in "$@"; do
  if [[ ! -x $tree/build-bench/bench/bench_pam ]]; then
    cmake -S "$tree" -B "$tree/build-bench" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
    cmake --build "$tree/build-bench" -j"$(nproc)" --target bench >/dev/null
  fi
done

wrap() { # passwd-file command...
  local passwd=$1
  shift
  env LD_PRELOAD="/usr/lib/x86_64-linux-gnu/libpam_wrapper.so /usr/lib/x86_64-linux-gnu/libnss_wrapper.so" \
    PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/pam.d" NSS_WRAPPER_PASSWD="$passwd" \
    NSS_WRAPPER_GROUP="$T/group" "$@"
}
median_of() { grep -o 'median_us=[0-9.]*' | cut -d= -f2; }

mkdir -p "$T/pam.d" "$T/oath"
printf 'auth required pam_deny.so\n' >"$T/pam.d/other"
printf 'bench:x:20000:\n' >"$T/group"

one_tree() { # tree -> "failure success"
  local tree=$1 d="$T/run" pid f s
  rm -rf "$d" && mkdir -p "$d"
  printf '[throttle]\nmax_failures = 1000\n' >"$d/authd.conf"
  "$tree/build-bench/authd/sesame-authd" --init --config "$d/authd.conf" --socket "$d/s.sock" \
    --database "$d/db" --master-key "$d/key" --log-level warning 2>"$d/authd.log" &
  pid=$!
  for _ in $(seq 100); do [[ -S $d/s.sock ]] && break; sleep 0.05; done
  "$tree/build-bench/bench/bench_totp_rate" enroll "$d/s.sock" u 300 "$d/users.txt" 16 >/dev/null
  awk '{printf "%s:x:%d:%d::/nonexistent:/usr/sbin/nologin\n", $1, 20000 + NR, 20000 + NR}' \
    "$d/users.txt" >"$d/passwd"
  echo "auth required $tree/build-bench/pam_module/pam_sesame.so socket=$d/s.sock" >"$T/pam.d/sesame"
  f=$(wrap "$d/passwd" "$tree/build-bench/bench/bench_pam" sesame "$d/users.txt" failure "$FAILURES" | median_of)
  s=$(wrap "$d/passwd" "$tree/build-bench/bench/bench_pam" sesame "$d/users.txt" success 300 | median_of)
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  echo "$f $s"
}

one_oath() {
  local d="$T/oath"
  for i in $(seq 300); do echo "o$i 3132333435363738393031323334353637383930"; done >"$d/users.txt"
  awk '{print "HOTP/T30/6 " $1 " - " $2}' "$d/users.txt" >"$d/users"
  chmod 600 "$d/users"
  awk '{printf "%s:x:%d:%d::/nonexistent:/usr/sbin/nologin\n", $1, 20000 + NR, 20000 + NR}' \
    "$d/users.txt" >"$d/passwd"
  echo "auth required /lib/x86_64-linux-gnu/security/pam_oath.so usersfile=$d/users window=1 digits=6" \
    >"$T/pam.d/oath"
  wrap "$d/passwd" "$B/bench/bench_pam" oath "$d/users.txt" failure "$FAILURES" | median_of
}

echo "== failed / successful pam_authenticate, median µs ($FAILURES failures, 300 successes, 300 users)"
for r in $(seq 1 "$ROUNDS"); do
  for tree in "$@"; do
    read -r f s < <(one_tree "$tree")
    printf 'round %d  %-40s failure %8s  success %8s  pam_oath failure %6s\n' "$r" "$tree" "$f" "$s" "$(one_oath)"
  done
done
