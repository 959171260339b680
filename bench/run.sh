#!/usr/bin/env bash
# Benchmarks of pam_sesame.so + sesame-authd against Debian's pam_oath, in
# the same run on the same machine (see docs/benchmarks.md):
#  1. in-process loop around pam_authenticate inside one PAM handle, success
#     and failure paths, both modules behind pam_wrapper, /dev/log sink;
#  2. TOTP verifications per second through the daemon, concurrent clients,
#     each a whole PAM conversation recorded durably;
#  3. then bench/run_web.sh, web sign-ins over HTTP (SESAME_BENCH_WEB=0
#     skips it).
# Usage: bench/run.sh [USERS_PER_ROUND] [RATE_USERS] [RATE_THREADS]   (as root)
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
N=${1:-300}
RATE_USERS=${2:-20000}
RATE_THREADS=${3:-32}
ROUNDS=3
. bench/common.sh
bench_setup bench libpam-oath libnss-wrapper

printf '[throttle]\nmax_failures = 1000\n' >"$T/authd.conf"
"$B/authd/sesame-authd" --init --config "$T/authd.conf" --socket "$T/s.sock" --database "$T/db" \
  --master-key "$T/key" --log-level warning 2>"$T/authd.log" &
pids+=($!)
for _ in $(seq 100); do [[ -S $T/s.sock ]] && break; sleep 0.05; done

echo "== enrolling $((N * ROUNDS)) users for the PAM loop, $RATE_USERS for the rate"
"$B/bench/bench_totp_rate" enroll "$T/s.sock" u $((N * ROUNDS)) "$T/users.txt" 16
"$B/bench/bench_totp_rate" enroll "$T/s.sock" r "$RATE_USERS" "$T/rate.txt" 16

mkdir -p "$T/pam.d" "$T/oath"
printf 'auth required pam_deny.so\n' >"$T/pam.d/other"
echo "auth required $B/pam_module/pam_sesame.so socket=$T/s.sock" >"$T/pam.d/sesame"
echo "auth required /lib/x86_64-linux-gnu/security/pam_oath.so usersfile=$T/oath/users window=1 digits=6" >"$T/pam.d/oath"
# The users exist for NSS, as they do on a server (pam_sesame resolves the
# canonical name with getpwnam_r; an unknown name costs the system's whole
# NSS chain, ~80 syscalls with nss_systemd, which no real login pays).
awk '{printf "%s:x:%d:%d::/nonexistent:/usr/sbin/nologin\n", $1, 20000 + NR, 20000 + NR}' \
  "$T/users.txt" >"$T/passwd"
printf 'bench:x:20000:\n' >"$T/group"
wrap=(env LD_PRELOAD="/usr/lib/x86_64-linux-gnu/libpam_wrapper.so /usr/lib/x86_64-linux-gnu/libnss_wrapper.so"
  PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/pam.d" NSS_WRAPPER_PASSWD="$T/passwd"
  NSS_WRAPPER_GROUP="$T/group")

declare -A results
for r in $(seq 1 $ROUNDS); do
  sed -n "$(((r - 1) * N + 1)),$((r * N))p" "$T/users.txt" >"$T/round.txt"
  awk '{print "HOTP/T30/6 " $1 " - " $2}' "$T/round.txt" >"$T/oath/users"
  chmod 600 "$T/oath/users"
  for svc in oath sesame; do
    for path in success failure; do
      line=$("${wrap[@]}" "$B/bench/bench_pam" "$svc" "$T/round.txt" "$path" "$N")
      echo "round $r: $line"
      results[$svc.$path]+="$(sed 's/.*median_us=\([0-9.]*\).*/\1/' <<<"$line") "
    done
  done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo
echo "== pam_authenticate inside one handle (median of $ROUNDS rounds of $N calls, µs per call)"
for path in success failure; do
  o=$(median "${results[oath.$path]}")
  s=$(median "${results[sesame.$path]}")
  printf '%-8s pam_oath %8.1f   pam_sesame %8.1f   ratio %.2f\n' "$path" "$o" "$s" "$(awk -v a="$s" -v b="$o" 'BEGIN{print a/b}')"
done
echo
echo "== TOTP verifications per second through sesame-authd ($RATE_THREADS concurrent clients)"
"$B/bench/bench_totp_rate" run "$T/s.sock" "$T/rate.txt" "$RATE_THREADS"
if [[ -s $T/authd.log ]]; then
  echo "== sesame-authd warnings"
  tail -n 20 "$T/authd.log"
fi
if [[ ${SESAME_BENCH_WEB:-1} != 0 ]]; then
  # on a quiet machine: this run's daemon and sink go first
  bench_cleanup
  trap - EXIT
  echo
  echo "== web sign-ins over HTTP (bench/run_web.sh)"
  bench/run_web.sh
fi
