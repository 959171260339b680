#!/usr/bin/env bash
# Web sign-in benchmarks of sesame-authd's pages over HTTP, each against a
# peer measured in the same run on the same machine (docs/benchmarks.md):
#  1. page serving: wrk on GET /login against bench_web_hello, a minimal
#     libmicrohttpd server in the daemon's threading mode that answers the
#     same number of bytes with the same headers;
#  2. password + TOTP sign-ins/s (bench_web_signin totp: THREADS browsers,
#     four requests each) against Argon2id verifications/s through the
#     daemon's own userpw_verify with THREADS threads (bench_argon2);
#  3. passkey sign-ins/s without a user name (bench_web_signin passkey:
#     three requests, ES256 signed by the client) against
#     `openssl speed ecdsap256` verify/s (one core).
# The rounds of a benchmark and of its peer alternate; medians are compared.
# Usage: bench/run_web.sh [USERS=100] [THREADS=16] [PASSKEY_SIGNINS=10000]
#                         [ROUNDS=3]                            (as root)
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
USERS=${1:-100}
THREADS=${2:-16}
PK_SIGNINS=${3:-10000}
ROUNDS=${4:-3}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
WRK_SECONDS=${WRK_SECONDS:-10}
ARGON2_SECONDS=${ARGON2_SECONDS:-10}
PASSWORD=violet-tractor-quantum-harbor-97
. bench/common.sh
bench_setup bench-web wrk openssl

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
HELLO_PORT=$(free_port)
# max_failures, source_rate: a benchmark must not lock its users out nor be
# held back as one client address (every client here is 127.0.0.1)
printf '[throttle]\nmax_failures = 1000\n[web]\nlisten = 127.0.0.1:%s\nsource_rate = 0\n' "$PORT" >"$T/authd.conf"
"$B/authd/sesame-authd" --init --config "$T/authd.conf" --socket "$T/s.sock" --database "$T/db" \
  --master-key "$T/key" --log-level warning 2>"$T/authd.log" &
authd=$!
pids+=($authd)
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.05; done

# the client reports the daemon's CPU time over its timed part
export BENCH_DAEMON_PID=$authd
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a/b}'; }
declare -A res

echo "== enrolling $((USERS * ROUNDS)) password + TOTP users and $((THREADS * ROUNDS)) passkey users"
"$B/bench/bench_web_signin" enroll "$T/s.sock" u $((USERS * ROUNDS)) "$PASSWORD" "$T/users.txt"
"$B/bench/bench_web_signin" enroll "$T/s.sock" k $((THREADS * ROUNDS)) "$PASSWORD" "$T/keys.txt"

echo
echo "== 1. GET /login, wrk -t2 -c$WRK_CONNECTIONS -d${WRK_SECONDS}s: sesame-authd vs bench_web_hello"
bytes=$(curl -s "http://127.0.0.1:$PORT/login" | wc -c)
"$B/bench/bench_web_hello" "$HELLO_PORT" "$bytes" &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$HELLO_PORT/" >/dev/null && break; sleep 0.05; done
wrk_rate() { wrk -t2 -c"$WRK_CONNECTIONS" -d"${WRK_SECONDS}s" "$1" | awk '/^Requests\/sec:/ {print $2}'; }
for r in $(seq 1 "$ROUNDS"); do
  h=$(wrk_rate "http://127.0.0.1:$HELLO_PORT/login")
  s=$(wrk_rate "http://127.0.0.1:$PORT/login")
  echo "round $r: hello $h req/s   sesame-authd /login $s req/s   ratio $(ratio "$s" "$h")   ($bytes-byte page)"
  res[hello]+="$h "
  res[login]+="$s "
done

echo
echo "== 2. password + TOTP sign-ins, $THREADS clients, vs Argon2id verifications, $THREADS threads"
for r in $(seq 1 "$ROUNDS"); do
  a=$("$B/bench/bench_argon2" "$THREADS" "$ARGON2_SECONDS")
  echo "round $r: argon2 $a"
  sed -n "$(((r - 1) * USERS + 1)),$((r * USERS))p" "$T/users.txt" >"$T/round.txt"
  line=$("$B/bench/bench_web_signin" totp "$PORT" "$T/round.txt" "$PASSWORD" "$THREADS")
  echo "round $r: $line"
  res[argon2]+="$(field per_second "$a") "
  res[argon2_cpu]+="$(field cpu_ms_each "$a") "
  res[totp]+="$(field per_second "$line") "
  res[totp_cpu]+="$(field daemon_cpu_ms_each "$line") "
  res[totp_p50]+="$(field p50_ms "$line") "
done

echo
echo "== 3. passkey sign-ins, $THREADS clients, vs openssl speed ecdsap256 verify (one core)"
for r in $(seq 1 "$ROUNDS"); do
  o=$(openssl speed -seconds 3 ecdsap256 2>/dev/null | awk '/nistp256/ {v=$NF} END {print v}')
  sed -n "$(((r - 1) * THREADS + 1)),$((r * THREADS))p" "$T/keys.txt" >"$T/round.txt"
  # each round registers THREADS new passkeys (untimed), then signs in
  line=$("$B/bench/bench_web_signin" passkey "$PORT" "$T/round.txt" "$PASSWORD" "$THREADS" "$PK_SIGNINS")
  echo "round $r: openssl verify/s $o"
  echo "round $r: $line"
  res[ecdsa]+="$o "
  res[passkey]+="$(field per_second "$line") "
  res[passkey_cpu]+="$(field daemon_cpu_ms_each "$line") "
  res[passkey_client]+="$(field client_cpu_ms_each "$line") "
  res[passkey_p50]+="$(field p50_ms "$line") "
done

m() { median "${res[$1]}"; }
# CPU ratios: the peer's CPU time for one operation over the daemon's CPU
# time for one sign-in (the client's excluded), steadier than rates on a
# shared machine
echo
echo "== medians of $ROUNDS rounds (ratio: Sésame / peer)"
printf 'GET /login      %9.0f req/s   hello        %9.0f req/s   ratio %s\n' \
  "$(m login)" "$(m hello)" "$(ratio "$(m login)" "$(m hello)")"
printf 'password+TOTP   %9.2f /s      Argon2id     %9.2f /s      ratio %s   CPU: %s ms/sign-in, Argon2id %s ms, ratio %s\n' \
  "$(m totp)" "$(m argon2)" "$(ratio "$(m totp)" "$(m argon2)")" \
  "$(m totp_cpu)" "$(m argon2_cpu)" "$(ratio "$(m argon2_cpu)" "$(m totp_cpu)")"
ecdsa_ms=$(awk -v v="$(m ecdsa)" 'BEGIN{printf "%.4f", 1000 / v}')
printf 'passkey         %9.1f /s      ECDSA verify %9.0f /s      ratio %s   CPU: %s ms/sign-in, verify %s ms, ratio %s; client %s ms/sign-in\n' \
  "$(m passkey)" "$(m ecdsa)" "$(ratio "$(m passkey)" "$(m ecdsa)")" \
  "$(m passkey_cpu)" "$ecdsa_ms" "$(ratio "$ecdsa_ms" "$(m passkey_cpu)")" "$(m passkey_client)"
if [[ -s $T/authd.log ]]; then
  echo "== sesame-authd warnings"
  tail -n 20 "$T/authd.log"
fi
